import { problems } from '@moocflix/platform-core/errors';
import { cursorField, cursorSchema, decodeCursor, type Page } from '@moocflix/platform-http';
import { listCourses as selectCourses, sortValue } from '../data/course-repository';
import { COURSE_SORTS, type Course, type CourseSort } from './course';
import type { Caller } from './course-access';
import { keysetPage } from './keyset-page';
import type { UseCaseContext } from './use-case-context';

export interface CourseListRequest {
  instructorId?: string;
  category?: string;
  published?: boolean;
  q?: string;
  sort: CourseSort;
  cursor?: string;
  limit: number;
}

// `s` ties a cursor to the sort it was issued for; `v` is that sort's value of the last course.
const cursor = cursorSchema({ s: cursorField.oneOf(COURSE_SORTS), v: cursorField.text(200), id: cursorField.uuid() });
const createdAt = cursorField.timestamp();

/** The catalogue: published courses, plus the caller's own drafts (every draft for an admin). */
export async function listCourses(ctx: UseCaseContext, caller: Caller, request: CourseListRequest): Promise<Page<Course>> {
  const position = decodeCursor(cursor, request.cursor);
  if (position && position.s !== request.sort) {
    throw problems.badRequest('The cursor does not belong to this sort order', [
      { path: 'query.cursor', message: `issued for another sort than ${request.sort}` },
    ]);
  }
  // `v` is a title or a creation time, by sort: a time goes to a timestamptz comparison, so it is
  // validated as one (a forged "1" or year 0000 would fail the query).
  if (position && request.sort.endsWith('createdAt')) {
    const time = createdAt.safeParse(position.v);
    if (!time.success) {
      throw problems.badRequest('Invalid cursor', [{ path: 'query.cursor', message: 'not a cursor issued by this API' }]);
    }
    position.v = time.data;
  }
  const rows = await selectCourses(ctx.pool, {
    viewer: { userId: caller.userId, seesAllDrafts: caller.role === 'admin' },
    instructorId: request.instructorId,
    category: request.category,
    published: request.published,
    text: request.q,
    sort: request.sort,
    after: position && { value: position.v, id: position.id },
    limit: request.limit + 1,
  });
  return keysetPage(rows, request.limit, (last) => ({ s: request.sort, v: sortValue(last, request.sort), id: last.id }));
}
