import { cursorField, cursorSchema, decodeCursor, type Page } from '@moocflix/platform-http';
import { findCourse } from '../data/course-repository';
import { listModules as selectModules } from '../data/module-repository';
import { requireVisible, type Caller } from './course-access';
import type { CourseModule } from './course-module';
import { keysetPage } from './keyset-page';
import type { UseCaseContext } from './use-case-context';

const cursor = cursorSchema({ p: cursorField.integer(1) });

/** The syllabus in position order; visible to whoever can see the course. */
export async function listModules(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
  page: { cursor?: string; limit: number },
): Promise<Page<CourseModule>> {
  const position = decodeCursor(cursor, page.cursor);
  requireVisible(await findCourse(ctx.pool, courseId), caller);
  const rows = await selectModules(ctx.pool, courseId, { afterPosition: position?.p, limit: page.limit + 1 });
  return keysetPage(rows, page.limit, (last) => ({ p: last.position }));
}
