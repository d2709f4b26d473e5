import { withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { lockCourse } from '../data/course-repository';
import { deleteModule, findModule, shiftModules } from '../data/module-repository';
import { requireAllowed, type Caller } from './course-access';
import type { UseCaseContext } from './use-case-context';

/** Deletes a module; the ones after it move up one place, so positions stay 1..n. */
export async function removeModule(ctx: UseCaseContext, caller: Caller, courseId: string, moduleId: string): Promise<void> {
  await withTransaction(ctx.pool, async (tx) => {
    requireAllowed('edit-modules', await lockCourse(tx, courseId), caller);
    const module = await findModule(tx, courseId, moduleId);
    if (!module) throw problems.notFound('Module');
    await deleteModule(tx, moduleId);
    await shiftModules(tx, courseId, { first: module.position + 1, by: -1 });
  });
}
