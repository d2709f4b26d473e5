import type { Queryable } from '@moocflix/platform-db';
import type { EventData, Topics } from '../events';

/**
 * The courses service's facts a consuming service decides with: who owns a course, its title and
 * whether it was deleted (Course-Creation, Course-Update, Course-Deletion), and who is enrolled in it
 * (Student-Enrolled). Tables `projected_courses` and `projected_enrollments` (kit migration
 * platform_003). Events of one course share a Kafka key, so each topic's arrive in order; across
 * topics they may not, hence upserts that never undelete a course and never forget a title.
 * Each handler runs in the consumer's transaction.
 */
export type EnrollmentStatus = 'active' | 'inactive';

export interface ProjectedCourse {
  courseId: string;
  instructorId: string;
  /** True too while only an enrollment named the course (see platform_006). */
  published: boolean;
  deleted: boolean;
}

export async function recordCourse(
  db: Queryable,
  course: EventData<typeof Topics.CourseCreation> | EventData<typeof Topics.CourseUpdate>,
): Promise<void> {
  // Course-Creation carries no version: it is the course's first.
  const version = 'version' in course ? course.version : 1;
  await saveCourse(db, course.courseId, course.instructorId, course.title, { published: course.published, version });
}

export async function recordCourseDeletion(
  db: Queryable,
  deletion: EventData<typeof Topics.CourseDeletion>,
): Promise<void> {
  await db.query(
    `INSERT INTO projected_courses (course_id, instructor_id, deleted) VALUES ($1, $2, true)
     ON CONFLICT (course_id) DO UPDATE SET deleted = true, updated_at = now()`,
    [deletion.courseId, deletion.instructorId],
  );
}

export async function recordEnrollment(
  db: Queryable,
  enrollment: EventData<typeof Topics.StudentEnrolled>,
): Promise<void> {
  // The event names the course's owner too: a course whose own event has not arrived yet becomes known.
  await saveCourse(db, enrollment.courseId, enrollment.instructorId, null);
  await db.query(
    `INSERT INTO projected_enrollments (course_id, student_id, status) VALUES ($1, $2, $3)
     ON CONFLICT (course_id, student_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()`,
    [enrollment.courseId, enrollment.studentId, enrollment.status],
  );
}

/**
 * Upserts a course's owner and (when given) title and published state; a course once deleted stays
 * deleted, and the published state of an older version never replaces a newer one's.
 */
async function saveCourse(
  db: Queryable,
  courseId: string,
  instructorId: string,
  title: string | null,
  state?: { published: boolean; version: number },
): Promise<void> {
  await db.query(
    `INSERT INTO projected_courses (course_id, instructor_id, title, published, version) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (course_id) DO UPDATE
       SET instructor_id = EXCLUDED.instructor_id, title = coalesce(EXCLUDED.title, projected_courses.title),
           published = CASE WHEN EXCLUDED.version >= projected_courses.version AND EXCLUDED.published IS NOT NULL
                            THEN EXCLUDED.published ELSE projected_courses.published END,
           version = greatest(EXCLUDED.version, projected_courses.version),
           updated_at = now()`,
    [courseId, instructorId, title, state?.published ?? null, state?.version ?? 0],
  );
}

export async function findCourse(db: Queryable, courseId: string): Promise<ProjectedCourse | undefined> {
  const { rows } = await db.query<{ course_id: string; instructor_id: string; published: boolean | null; deleted: boolean }>(
    'SELECT course_id, instructor_id, published, deleted FROM projected_courses WHERE course_id = $1',
    [courseId],
  );
  const row = rows[0];
  return row && { courseId: row.course_id, instructorId: row.instructor_id, published: row.published ?? true, deleted: row.deleted };
}

/** The course's title, or null when unknown here or no Course-Creation/Update has named it yet. */
export async function findCourseTitle(db: Queryable, courseId: string): Promise<string | null> {
  const { rows } = await db.query<{ title: string | null }>(
    'SELECT title FROM projected_courses WHERE course_id = $1',
    [courseId],
  );
  return rows[0]?.title ?? null;
}

export async function findEnrollmentStatus(
  db: Queryable,
  courseId: string,
  studentId: string,
): Promise<EnrollmentStatus | undefined> {
  const { rows } = await db.query<{ status: EnrollmentStatus }>(
    'SELECT status FROM projected_enrollments WHERE course_id = $1 AND student_id = $2',
    [courseId, studentId],
  );
  return rows[0]?.status;
}

/**
 * The student's enrollment status, row-locked until the transaction ends (e.g. to serialise a
 * student's submissions to a course).
 */
export async function lockEnrollment(
  db: Queryable,
  courseId: string,
  studentId: string,
): Promise<EnrollmentStatus | undefined> {
  const { rows } = await db.query<{ status: EnrollmentStatus }>(
    'SELECT status FROM projected_enrollments WHERE course_id = $1 AND student_id = $2 FOR UPDATE',
    [courseId, studentId],
  );
  return rows[0]?.status;
}

export async function countActiveEnrollments(db: Queryable, courseId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM projected_enrollments WHERE course_id = $1 AND status = 'active'`,
    [courseId],
  );
  return rows[0]!.count;
}
