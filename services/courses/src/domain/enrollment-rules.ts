import type { Course } from './course';

/** Why a student may not enroll now; the API answers 409 with this as `reason`. */
export type EnrollmentRefusal = 'enrollment-not-open' | 'enrollment-closed' | 'course-full';

export const REFUSAL_DETAILS: Record<EnrollmentRefusal | 'student-deactivated', string> = {
  'enrollment-not-open': 'Enrollment for this course has not opened yet',
  'enrollment-closed': 'Enrollment for this course has closed',
  'course-full': 'This course has no seats left',
  'student-deactivated': 'This account is deactivated and cannot enroll',
};

/**
 * The enrollment window is half-open, [opensAt, closesAt): a course closing at 18:00 accepts 17:59:59.999.
 * `activeSeats` must be counted under the course's lock, or two last-seat requests could both pass.
 */
export function enrollmentRefusal(
  course: Pick<Course, 'capacity' | 'enrollmentOpensAt' | 'enrollmentClosesAt'>,
  activeSeats: number,
  now: Date,
): EnrollmentRefusal | null {
  if (course.enrollmentOpensAt && now < course.enrollmentOpensAt) return 'enrollment-not-open';
  if (course.enrollmentClosesAt && now >= course.enrollmentClosesAt) return 'enrollment-closed';
  if (course.capacity !== null && activeSeats >= course.capacity) return 'course-full';
  return null;
}
