import type { Queryable } from '@moocflix/platform/db';

export type EnrollmentStatus = 'active' | 'inactive';

/** Upserts a course's owner and title; a course once deleted stays deleted. */
export async function saveKnownCourse(
  db: Queryable,
  course: { courseId: string; instructorId: string; title: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO known_courses (course_id, instructor_id, title) VALUES ($1, $2, $3)
     ON CONFLICT (course_id) DO UPDATE
       SET instructor_id = EXCLUDED.instructor_id, title = coalesce(EXCLUDED.title, known_courses.title), updated_at = now()`,
    [course.courseId, course.instructorId, course.title],
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

export async function findCourseTitle(db: Queryable, courseId: string): Promise<string | null> {
  const { rows } = await db.query<{ title: string | null }>(
    'SELECT title FROM known_courses WHERE course_id = $1',
    [courseId],
  );
  return rows[0]?.title ?? null;
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
