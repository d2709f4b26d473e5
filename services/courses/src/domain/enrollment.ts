import type { EventData, Topics } from '@moocflix/platform-bus';

export type EnrollmentStatus = 'active' | 'inactive';

/** A student's seat in a course. 'inactive' once the student was deactivated. */
export interface Enrollment {
  courseId: string;
  studentId: string;
  status: EnrollmentStatus;
  enrolledAt: Date;
}

/** An enrollment as the course's owner sees it in the roster: with the student's name. */
export interface RosterEntry extends Enrollment {
  /** From the users projection (their events); null until it has heard of the student. */
  studentName: string | null;
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
