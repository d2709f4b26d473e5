import type { EventData, Topics } from '@moocflix/platform-bus';

export type EnrollmentStatus = 'active' | 'inactive';

/** A student's seat in a course. 'inactive' once the student was deactivated. */
export interface Enrollment {
  courseId: string;
  studentId: string;
  status: EnrollmentStatus;
  enrolledAt: Date;
}

export function studentEnrolledEvent(enrollment: Enrollment, instructorId: string): EventData<typeof Topics.StudentEnrolled> {
  return {
    courseId: enrollment.courseId,
    studentId: enrollment.studentId,
    instructorId,
    status: enrollment.status,
    enrolledAt: enrollment.enrolledAt.toISOString(),
  };
}
