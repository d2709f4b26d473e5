import type { Queryable } from '@moocflix/platform/db';
import type { CourseStanding, EnrollmentStatus } from '../domain/course-access';

/** Upserts a course's owner; a course once deleted stays deleted (events of other topics may come late). */
export async function saveKnownCourse(db: Queryable, courseId: string, instructorId: string): Promise<void> {
  await db.query(
    `INSERT INTO known_courses (course_id, instructor_id) VALUES ($1, $2)
     ON CONFLICT (course_id) DO UPDATE SET instructor_id = EXCLUDED.instructor_id, updated_at = now()`,
    [courseId, instructorId],
  );
}

export async function markCourseDeleted(
  db: Queryable,
  courseId: string,
  instructorId: string,
): Promise<void> {
  await db.query(
    `INSERT INTO known_courses (course_id, instructor_id, deleted) VALUES ($1, $2, true)
     ON CONFLICT (course_id) DO UPDATE SET deleted = true, updated_at = now()`,
    [courseId, instructorId],
  );
}

export async function saveKnownEnrollment(
  db: Queryable,
  courseId: string,
  studentId: string,
  status: EnrollmentStatus,
): Promise<void> {
  await db.query(
    `INSERT INTO known_enrollments (course_id, student_id, status) VALUES ($1, $2, $3)
     ON CONFLICT (course_id, student_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()`,
    [courseId, studentId, status],
  );
}

export interface CourseStandingRow {
  instructor_id: string;
  deleted: boolean;
  caller_enrollment: EnrollmentStatus | null;
}

/** SQL selecting a course's CourseStandingRow columns for caller `$callerParam`, given `course` aliasing known_courses. */
export const courseStandingColumns = (callerParam: string) =>
  `course.instructor_id, course.deleted,
   (SELECT e.status FROM known_enrollments e WHERE e.course_id = course.course_id AND e.student_id = ${callerParam}) AS caller_enrollment`;

export const toCourseStanding = (row: CourseStandingRow): CourseStanding => ({
  instructorId: row.instructor_id,
  deleted: row.deleted,
  callerEnrollment: row.caller_enrollment ?? undefined,
});

export async function findCourseStanding(
  db: Queryable,
  courseId: string,
  callerId: string,
): Promise<CourseStanding | undefined> {
  const { rows } = await db.query<CourseStandingRow>(
    `SELECT ${courseStandingColumns('$2')} FROM known_courses course WHERE course.course_id = $1`,
    [courseId, callerId],
  );
  return rows[0] && toCourseStanding(rows[0]);
}

/**
 * The student's enrollment status, row-locked until the transaction ends: a student's submissions to
 * the course are serialised, so concurrent submits cannot both take the last attempt.
 */
export async function lockEnrollment(
  db: Queryable,
  courseId: string,
  studentId: string,
): Promise<EnrollmentStatus | undefined> {
  const { rows } = await db.query<{ status: EnrollmentStatus }>(
    'SELECT status FROM known_enrollments WHERE course_id = $1 AND student_id = $2 FOR UPDATE',
    [courseId, studentId],
  );
  return rows[0]?.status;
}

export async function countActiveEnrollments(db: Queryable, courseId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM known_enrollments WHERE course_id = $1 AND status = 'active'`,
    [courseId],
  );
  return rows[0]!.count;
}
