import type { Queryable } from '@moocflix/platform/db';
import type { EnrollmentStatus, KnownCourse } from '../domain/video-access';

/** Upserts what a Course-Creation or Course-Update says; a course once deleted stays deleted. */
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

export async function findKnownCourse(db: Queryable, courseId: string): Promise<KnownCourse | undefined> {
  const { rows } = await db.query<{ course_id: string; instructor_id: string; deleted: boolean }>(
    'SELECT course_id, instructor_id, deleted FROM known_courses WHERE course_id = $1',
    [courseId],
  );
  const row = rows[0];
  return row && { courseId: row.course_id, instructorId: row.instructor_id, deleted: row.deleted };
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

export async function findEnrollmentStatus(
  db: Queryable,
  courseId: string,
  studentId: string,
): Promise<EnrollmentStatus | undefined> {
  const { rows } = await db.query<{ status: EnrollmentStatus }>(
    'SELECT status FROM known_enrollments WHERE course_id = $1 AND student_id = $2',
    [courseId, studentId],
  );
  return rows[0]?.status;
}
