import { cursorField, cursorSchema, decodeCursor, type Page } from '@moocflix/platform-http';
import { listCourseAssessments as selectAssessments } from '../data/assessment-repository';
import { findCourseStanding } from '../data/course-projection-repository';
import { toSummary, type AssessmentSummary } from './assessment';
import { requireCourse, requireParticipant, type Caller } from './course-access';
import { keysetPage } from './keyset-page';
import type { UseCaseContext } from './use-case-context';

const cursor = cursorSchema({ t: cursorField.timestamp(), id: cursorField.uuid() });

/** A course's assessments, newest first, for its owner and its enrolled students (summaries: no questions). */
export async function listCourseAssessments(
  ctx: UseCaseContext,
  caller: Caller,
  request: { courseId: string; cursor?: string; limit: number },
): Promise<Page<AssessmentSummary>> {
  const position = decodeCursor(cursor, request.cursor);
  const course = requireCourse(await findCourseStanding(ctx.pool, request.courseId, caller.userId), 'Course');
  requireParticipant(course, caller);
  const rows = await selectAssessments(ctx.pool, request.courseId, {
    after: position && { createdAt: position.t, id: position.id },
    limit: request.limit + 1,
  });
  const page = keysetPage(rows, request.limit, (last) => ({ t: last.createdAt.toISOString(), id: last.id }));
  return { items: page.items.map(toSummary), nextCursor: page.nextCursor };
}
