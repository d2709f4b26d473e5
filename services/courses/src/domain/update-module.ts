import { withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { lockCourse } from '../data/course-repository';
import { countModules, findModule, shiftModules, updateModule as saveModuleChanges } from '../data/module-repository';
import { requireAllowed, type Caller } from './course-access';
import type { CourseModule, ModuleDraft } from './course-module';
import { movePosition, shiftForMove } from './module-positions';
import { requireOwnCourseVideo, withVideoProjectionWait } from './module-video';
import type { UseCaseContext } from './use-case-context';

/** Edits a module; a new `position` moves it, and the modules in between close up behind it. */
export async function updateModule(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
  moduleId: string,
  changes: Partial<ModuleDraft> & { position?: number },
): Promise<CourseModule> {
  return withVideoProjectionWait(ctx, () => withTransaction(ctx.pool, async (tx) => {
    requireAllowed('edit-modules', await lockCourse(tx, courseId), caller);
    const module = await findModule(tx, courseId, moduleId);
    if (!module) throw problems.notFound('Module');
    // Only a changed reference is checked: a module keeps a video it already had.
    if (changes.videoId !== undefined && changes.videoId !== module.videoId) {
      await requireOwnCourseVideo(tx, courseId, changes.videoId);
    }
    let position: number | undefined;
    if (changes.position !== undefined) {
      position = movePosition(changes.position, await countModules(tx, courseId));
      const shift = shiftForMove(module.position, position);
      if (shift) await shiftModules(tx, courseId, shift);
    }
    return saveModuleChanges(tx, moduleId, { ...changes, position });
  }));
}
