import { z } from 'zod';
import { problems } from '@moocflix/platform/errors';
import { decodeCursor, type Page } from '@moocflix/platform/http';
import { listCourses as selectCourses, sortValue } from '../data/course-repository';
import { COURSE_SORTS, type Course, type CourseSort } from './course';
import type { Caller } from './course-access';
import { keysetPage } from './keyset-page';
import { storableText } from './storable-text';
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
const cursorSchema = z.object({ s: z.enum(COURSE_SORTS), v: storableText(), id: z.uuid() });

/** The catalogue: published courses, plus the caller's own drafts (every draft for an admin). */
export async function listCourses(ctx: UseCaseContext, caller: Caller, request: CourseListRequest): Promise<Page<Course>> {
  const position = decodeCursor(cursorSchema, request.cursor);
  if (position && (position.s !== request.sort || (request.sort.endsWith('createdAt') && Number.isNaN(Date.parse(position.v))))) {
    throw problems.badRequest('The cursor does not belong to this sort order', [
      { path: 'query.cursor', message: `issued for another sort than ${request.sort}` },
    ]);
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
