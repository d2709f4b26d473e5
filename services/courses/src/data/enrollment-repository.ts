import type { Queryable } from '@moocflix/platform-db';
import { Topics, writeWithEvent, type EventData } from '@moocflix/platform-bus';
import type { Course } from '../domain/course';
import type { Enrollment, EnrollmentStatus, RosterEntry } from '../domain/enrollment';
import { COURSE_COLUMNS, toCourse, type CourseRow } from './course-repository';
import type { KnownUserStatus } from './known-user-repository';

interface EnrollmentRow {
  course_id: string;
  student_id: string;
  status: EnrollmentStatus;
  enrolled_at: Date;
}

const COLUMNS = 'course_id, student_id, status, enrolled_at';

const toEnrollment = (row: EnrollmentRow): Enrollment => ({
  courseId: row.course_id,
  studentId: row.student_id,
  status: row.status,
  enrolledAt: row.enrolled_at,
});

/** What enrolling needs to know about a student, besides the course. */
export interface StudentStanding {
  /** From the users projection; undefined while the user's events have not reached us. */
  accountStatus: KnownUserStatus | undefined;
  enrollment: Enrollment | undefined;
}

/**
 * The student's account status and current enrollment in the course, in one round trip. The
 * account row is share-locked, so a deactivation being recorded right now is waited for: an
 * enrollment either sees it, or commits before that student's enrollments are deactivated.
 * Run it after taking the course's lock: its snapshot then includes every enrollment committed
 * before (a repeated request sees the first one's row).
 */
export async function findStudentStanding(
  db: Queryable,
  courseId: string,
  studentId: string,
): Promise<StudentStanding> {
  const { rows } = await db.query<{
    account_status: KnownUserStatus | null;
    enrollment: { status: EnrollmentStatus; enrolled_at: string } | null;
  }>(
    `SELECT (SELECT status FROM known_users WHERE id = $2 FOR SHARE) AS account_status,
            (SELECT json_build_object('status', status, 'enrolled_at', enrolled_at)
               FROM enrollments WHERE course_id = $1 AND student_id = $2) AS enrollment`,
    [courseId, studentId],
  );
  const { account_status, enrollment } = rows[0]!;
  return {
    accountStatus: account_status ?? undefined,
    enrollment: enrollment
      ? { courseId, studentId, status: enrollment.status, enrolledAt: new Date(enrollment.enrolled_at) }
      : undefined,
  };
}

/**
 * A course (not deleted) and the student's standing in it, in one round trip and without locks:
 * what enrolling decides on before its guarded write (saveEnrollmentIfUnchanged).
 */
export async function findCourseAndStanding(
  db: Queryable,
  courseId: string,
  studentId: string,
): Promise<{ course: Course; standing: StudentStanding } | undefined> {
  const { rows } = await db.query<
    CourseRow & {
      account_status: KnownUserStatus | null;
      enrollment: { status: EnrollmentStatus; enrolled_at: string } | null;
    }
  >({
    // Prepared once per connection: planning this query costs more than running it.
    name: 'courses.find-course-and-standing',
    text: `SELECT ${COURSE_COLUMNS},
            (SELECT status FROM known_users WHERE id = $2) AS account_status,
            (SELECT json_build_object('status', e.status, 'enrolled_at', e.enrolled_at)
               FROM enrollments e WHERE e.course_id = $1 AND e.student_id = $2) AS enrollment
       FROM courses WHERE id = $1 AND deleted_at IS NULL`,
    values: [courseId, studentId],
  });
  const row = rows[0];
  if (!row) return undefined;
  return {
    course: toCourse(row),
    standing: {
      accountStatus: row.account_status ?? undefined,
      enrollment: row.enrollment
        ? {
            courseId,
            studentId,
            status: row.enrollment.status,
            enrolledAt: new Date(row.enrollment.enrolled_at),
          }
        : undefined,
    },
  };
}

/**
 * Enrolls the student — the active enrollment and its Student-Enrolled event in ONE statement —
 * only if what the caller decided on still holds when the statement runs:
 * - the course is still at `courseVersion` and not deleted (every course update bumps the version;
 *   its row is share-locked, so an update or deletion racing with us waits until we committed),
 * - the student is not known to be deactivated (their row, if any, is share-locked like in
 *   findStudentStanding, so a deactivation being recorded is waited for, then seen),
 * - the student has no active enrollment (a twin request that won inserted it first).
 * Returns undefined when any of these failed: nothing was written, no event was queued, and the
 * caller decides again under the course's lock.
 */
export async function saveEnrollmentIfUnchanged(
  db: Queryable,
  seen: { courseId: string; courseVersion: number; studentId: string; enrolledAt: Date },
  event: { source: string; data: EventData<typeof Topics.StudentEnrolled> },
): Promise<Enrollment | undefined> {
  const { rows } = await writeWithEvent<EnrollmentRow, typeof Topics.StudentEnrolled>(
    db,
    {
      name: 'courses.save-enrollment-if-unchanged',
      text: `WITH course AS (
               SELECT id FROM courses WHERE id = $1 AND version = $2 AND deleted_at IS NULL FOR SHARE
             ), account AS (
               SELECT status FROM known_users WHERE id = $3 FOR SHARE
             )
             INSERT INTO enrollments (course_id, student_id, status, enrolled_at)
             SELECT id, $3, 'active', $4 FROM course
              WHERE NOT EXISTS (SELECT 1 FROM account WHERE status = 'deactivated')
             ON CONFLICT (course_id, student_id) DO UPDATE
               SET status = 'active', enrolled_at = EXCLUDED.enrolled_at, updated_at = now()
               WHERE enrollments.status <> 'active'
             RETURNING ${COLUMNS}`,
      values: [seen.courseId, seen.courseVersion, seen.studentId, seen.enrolledAt],
    },
    Topics.StudentEnrolled,
    { source: event.source, subject: seen.courseId, data: event.data },
  );
  return rows[0] && toEnrollment(rows[0]);
}

export async function countActiveSeats(db: Queryable, courseId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM enrollments WHERE course_id = $1 AND status = 'active'`,
    [courseId],
  );
  return rows[0]!.count;
}

/** A new active enrollment, or the student's inactive one made active again (enrolled now). */
export async function saveActiveEnrollment(
  db: Queryable,
  courseId: string,
  studentId: string,
): Promise<Enrollment> {
  const { rows } = await db.query<EnrollmentRow>(
    `INSERT INTO enrollments (course_id, student_id, status) VALUES ($1, $2, 'active')
     ON CONFLICT (course_id, student_id) DO UPDATE
       SET status = 'active', enrolled_at = EXCLUDED.enrolled_at, updated_at = now()
     RETURNING ${COLUMNS}`,
    [courseId, studentId],
  );
  return toEnrollment(rows[0]!);
}

/** Marks every active enrollment of the student inactive; returns the ones that changed. */
export async function deactivateStudentEnrollments(db: Queryable, studentId: string): Promise<Enrollment[]> {
  const { rows } = await db.query<EnrollmentRow>(
    `UPDATE enrollments SET status = 'inactive', updated_at = now()
      WHERE student_id = $1 AND status = 'active' RETURNING ${COLUMNS}`,
    [studentId],
  );
  return rows.map(toEnrollment);
}

/** Keyset position in enrolment order: the last row of the previous page. */
export interface EnrollmentPosition {
  enrolledAt: string;
  id: string;
}

/** A course's enrollments, oldest first, each with the student's name from the users projection. */
export async function listCourseEnrollments(
  db: Queryable,
  courseId: string,
  page: { status?: EnrollmentStatus; after?: EnrollmentPosition; limit: number },
): Promise<RosterEntry[]> {
  const { rows } = await db.query<EnrollmentRow & { student_name: string | null }>(
    `SELECT ${COLUMNS}, (SELECT name FROM known_users WHERE known_users.id = enrollments.student_id) AS student_name
       FROM enrollments
      WHERE course_id = $1 AND ($2::text IS NULL OR status = $2)
        AND ($3::timestamptz IS NULL OR (enrolled_at, student_id) > ($3, $4))
      ORDER BY enrolled_at, student_id LIMIT $5`,
    [courseId, page.status ?? null, page.after?.enrolledAt ?? null, page.after?.id ?? null, page.limit],
  );
  return rows.map((row) => ({ ...toEnrollment(row), studentName: row.student_name }));
}

interface StudentEnrollmentRow extends EnrollmentRow {
  title: string;
  instructor_id: string;
  completed_modules: number;
  total_modules: number;
}

/**
 * A student's enrollments in courses that still exist, newest first, with each course's title and
 * the student's progress in it (modules completed / modules the course has): one query for the
 * page, the counts per row from the indexes (no query per course).
 */
export async function listStudentEnrollments(
  db: Queryable,
  studentId: string,
  page: { after?: EnrollmentPosition; limit: number },
): Promise<
  (Enrollment & {
    courseTitle: string;
    instructorId: string;
    progress: { completedModules: number; totalModules: number };
  })[]
> {
  const { rows } = await db.query<StudentEnrollmentRow>(
    `SELECT e.course_id, e.student_id, e.status, e.enrolled_at, c.title, c.instructor_id,
            (SELECT count(*)::int FROM module_progress p
              WHERE p.student_id = e.student_id AND p.course_id = e.course_id
                AND p.completed_at IS NOT NULL) AS completed_modules,
            (SELECT count(*)::int FROM course_modules m WHERE m.course_id = e.course_id) AS total_modules
       FROM enrollments e JOIN courses c ON c.id = e.course_id AND c.deleted_at IS NULL
      WHERE e.student_id = $1 AND ($2::timestamptz IS NULL OR (e.enrolled_at, e.course_id) < ($2, $3::uuid))
      ORDER BY e.enrolled_at DESC, e.course_id DESC LIMIT $4`,
    [studentId, page.after?.enrolledAt ?? null, page.after?.id ?? null, page.limit],
  );
  return rows.map((row) => ({
    ...toEnrollment(row),
    courseTitle: row.title,
    instructorId: row.instructor_id,
    progress: { completedModules: row.completed_modules, totalModules: row.total_modules },
  }));
}
