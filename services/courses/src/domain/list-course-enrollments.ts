import { cursorField, cursorSchema, decodeCursor, type Page } from '@moocflix/platform-http';
import { findCourse } from '../data/course-repository';
import { listCourseEnrollments as selectEnrollments } from '../data/enrollment-repository';
import { requireAllowed, type Caller } from './course-access';
import type { EnrollmentStatus, RosterEntry } from './enrollment';
import { keysetPage } from './keyset-page';
import type { UseCaseContext } from './use-case-context';

// `id` is the student id: a users-service id, text (not necessarily a uuid).
const cursor = cursorSchema({ t: cursorField.timestamp(), id: cursorField.text(200) });

/** Who is enrolled in a course, by name, oldest enrollment first: for its owner (and admins). */
export async function listCourseEnrollments(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
  request: { status?: EnrollmentStatus; cursor?: string; limit: number },
): Promise<Page<RosterEntry>> {
  const position = decodeCursor(cursor, request.cursor);
  requireAllowed('list-enrollments', await findCourse(ctx.pool, courseId), caller);
  const rows = await selectEnrollments(ctx.pool, courseId, {
    status: request.status,
    after: position && { enrolledAt: position.t, id: position.id },
    limit: request.limit + 1,
  });
  return keysetPage(rows, request.limit, (last) => ({ t: last.enrolledAt.toISOString(), id: last.studentId }));
}
