import { withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { lockCourse } from '../data/course-repository';
import { countModules, insertModule, shiftModules } from '../data/module-repository';
import { requireAllowed, type Caller } from './course-access';
import type { CourseModule, ModuleDraft } from './course-module';
import { insertPosition } from './module-positions';
import { requireOwnCourseVideo, withVideoProjectionWait } from './module-video';
import type { UseCaseContext } from './use-case-context';

/** Bounds a syllabus so one course cannot grow its module list (and every read of it) without limit. */
export const MAX_MODULES_PER_COURSE = 500;

/** Inserts at `position` (default: the end); the modules from there on move down one place. */
export async function addModule(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
  draft: ModuleDraft,
  requestedPosition?: number,
): Promise<CourseModule> {
  return withVideoProjectionWait(ctx, () => withTransaction(ctx.pool, async (tx) => {
    requireAllowed('edit-modules', await lockCourse(tx, courseId), caller);
    await requireOwnCourseVideo(tx, courseId, draft.videoId);
    const count = await countModules(tx, courseId);
    if (count >= MAX_MODULES_PER_COURSE) {
      throw problems.conflict(`A course has at most ${MAX_MODULES_PER_COURSE} modules`, 'too-many-modules');
    }
    const position = insertPosition(requestedPosition, count);
    await shiftModules(tx, courseId, { first: position, by: 1 });
    return insertModule(tx, courseId, draft, position);
  }));
}
