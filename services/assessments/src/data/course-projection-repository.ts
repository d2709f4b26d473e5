import type { Queryable } from '@moocflix/platform-db';
import type { CourseStanding, EnrollmentStatus } from '../domain/course-access';

/*
 * A course's standing for a caller, read from the kit's course projection (@moocflix/platform-bus/projections:
 * tables projected_courses and projected_enrollments, kept by the course events consumer).
 */

export interface CourseStandingRow {
  instructor_id: string;
  published: boolean | null;
  deleted: boolean;
  caller_enrollment: EnrollmentStatus | null;
}

/** SQL selecting a course's CourseStandingRow columns for caller `$callerParam`, given `course` aliasing projected_courses. */
export const courseStandingColumns = (callerParam: string) =>
  `course.instructor_id, course.published, course.deleted,
   (SELECT e.status FROM projected_enrollments e WHERE e.course_id = course.course_id AND e.student_id = ${callerParam}) AS caller_enrollment`;

export const toCourseStanding = (row: CourseStandingRow): CourseStanding => ({
  instructorId: row.instructor_id,
  // Null: the course is known from an enrollment only, which needed it visible (kit migration platform_006).
  published: row.published ?? true,
  deleted: row.deleted,
  callerEnrollment: row.caller_enrollment ?? undefined,
});

export async function findCourseStanding(
  db: Queryable,
  courseId: string,
  callerId: string,
): Promise<CourseStanding | undefined> {
  const { rows } = await db.query<CourseStandingRow>(
    `SELECT ${courseStandingColumns('$2')} FROM projected_courses course WHERE course.course_id = $1`,
    [courseId, callerId],
  );
  return rows[0] && toCourseStanding(rows[0]);
}
