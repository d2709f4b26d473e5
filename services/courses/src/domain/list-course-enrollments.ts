import { z } from 'zod';
import { decodeCursor, type Page } from '@moocflix/platform/http';
import { findCourse } from '../data/course-repository';
import { listCourseEnrollments as selectEnrollments } from '../data/enrollment-repository';
import { requireAllowed, type Caller } from './course-access';
import type { Enrollment, EnrollmentStatus } from './enrollment';
import { keysetPage } from './keyset-page';
import { storableText } from './storable-text';
import type { UseCaseContext } from './use-case-context';

const cursorSchema = z.object({ t: z.iso.datetime(), id: storableText().min(1).max(200) });

/** Who is enrolled in a course, oldest enrollment first: for its owner (and admins). */
export async function listCourseEnrollments(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
  request: { status?: EnrollmentStatus; cursor?: string; limit: number },
): Promise<Page<Enrollment>> {
  const position = decodeCursor(cursorSchema, request.cursor);
  requireAllowed('list-enrollments', await findCourse(ctx.pool, courseId), caller);
  const rows = await selectEnrollments(ctx.pool, courseId, {
    status: request.status,
    after: position && { enrolledAt: position.t, id: position.id },
    limit: request.limit + 1,
  });
  return keysetPage(rows, request.limit, (last) => ({ t: last.enrolledAt.toISOString(), id: last.studentId }));
}
