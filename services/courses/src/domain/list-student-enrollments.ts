import { cursorField, cursorSchema, decodeCursor, type Page } from '@moocflix/platform-http';
import { listStudentEnrollments as selectEnrollments } from '../data/enrollment-repository';
import type { Caller } from './course-access';
import type { Enrollment } from './enrollment';
import { keysetPage } from './keyset-page';
import type { UseCaseContext } from './use-case-context';

const cursor = cursorSchema({ t: cursorField.timestamp(), id: cursorField.uuid() });

export type StudentEnrollment = Enrollment & {
  course: { id: string; title: string; instructorId: string };
  /** The student's line on "My courses": modules completed out of the course's modules now. */
  progress: { completedModules: number; totalModules: number };
};

/** The caller's own enrollments, newest first, in courses that still exist. */
export async function listStudentEnrollments(
  ctx: UseCaseContext,
  caller: Caller,
  request: { cursor?: string; limit: number },
): Promise<Page<StudentEnrollment>> {
  const position = decodeCursor(cursor, request.cursor);
  const rows = await selectEnrollments(ctx.pool, caller.userId, {
    after: position && { enrolledAt: position.t, id: position.id },
    limit: request.limit + 1,
  });
  const page = keysetPage(rows, request.limit, (last) => ({ t: last.enrolledAt.toISOString(), id: last.courseId }));
  return {
    items: page.items.map(({ courseTitle, instructorId, ...enrollment }) => ({
      ...enrollment,
      course: { id: enrollment.courseId, title: courseTitle, instructorId },
    })),
    nextCursor: page.nextCursor,
  };
}
