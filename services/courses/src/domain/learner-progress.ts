import { withTransaction, type PoolClient } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { courseAccess } from '@moocflix/platform-bus/projections';
import { listModules } from '../data/module-repository';
import {
  findProgressScope,
  insertProgressIfAbsent,
  listCourseProgress,
  lockProgressCompletion,
  saveProgress,
  summarizeProgress,
} from '../data/progress-repository';
import { MAX_MODULES_PER_COURSE } from './add-module';
import type { Caller } from './course-access';
import type { CourseProgressSummary, ModuleProgress } from './progress';
import type { UseCaseContext } from './use-case-context';

/**
 * Progress is the learner's own, and about watching: the platform's rule for `watch`
 * (docs/access-rules.md) decides first — 404 for a course that does not exist for the caller
 * (deleted, unknown, someone else's draft), 403 for a published course they may not watch. Then only
 * an actively enrolled learner has progress: the owner and admins may watch but are not learners
 * (403). There is no learner id in the routes, so nobody can address another learner's progress.
 */
async function requireLearner(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
  moduleId?: string,
): Promise<void> {
  const scope = await findProgressScope(ctx.pool, courseId, caller.userId, moduleId);
  const decision = courseAccess(
    scope.course && { ...scope.course, deleted: false },
    caller,
    scope.enrollment,
    'watch',
  );
  if (decision === 'not-found') throw problems.notFound('Course');
  if (decision === 'forbidden' || scope.enrollment !== 'active') {
    throw problems.forbidden('Only a learner enrolled in the course has progress in it');
  }
  if (moduleId !== undefined && !scope.moduleInCourse) throw problems.notFound('Module');
}

/** PUT: the learner's position and completion in one module of their course; repeating it changes nothing. */
export async function recordProgress(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
  moduleId: string,
  write: { positionSeconds: number; completed: boolean },
): Promise<ModuleProgress> {
  // One read decides course, enrollment and module, one statement writes: two round trips.
  await requireLearner(ctx, caller, courseId, moduleId);
  const progress = { courseId, moduleId, studentId: caller.userId, ...write };
  // A write that does not say completed can complete nothing: no transaction needed.
  if (!write.completed) return saveProgress(ctx.pool, progress);
  return withTransaction(ctx.pool, async (tx) => {
    const { saved, newlyCompleted } = await saveCompletingProgress(tx, progress);
    if (newlyCompleted) {
      // With the write that completes the module, in its transaction (outbox): exactly one event
      // per learner and module, however often the player repeats `completed: true`.
      await enqueueEvent(tx, Topics.ModuleCompleted, {
        source: ctx.eventSource,
        // Keyed by learner: one learner's completions stay in order (e.g. for a course certificate).
        subject: caller.userId,
        data: { courseId, moduleId, userId: caller.userId, completedAt: saved.completedAt!.toISOString() },
      });
    }
    return saved;
  });
}

/**
 * Saves a completing write and tells whether it is the one that completed the module. The row is
 * locked first, so concurrent completing writes are decided one after the other; when there is no
 * row, the insert that creates it decides, and one that lost the race to a concurrent insert
 * looks again (that row is committed by then, so the second look finds it).
 */
async function saveCompletingProgress(
  tx: PoolClient,
  write: Parameters<typeof saveProgress>[1],
): Promise<{ saved: ModuleProgress; newlyCompleted: boolean }> {
  for (let look = 0; look < 2; look++) {
    const previous = await lockProgressCompletion(tx, write.moduleId, write.studentId);
    if (previous) {
      const saved = await saveProgress(tx, write);
      return { saved, newlyCompleted: !previous.completed && saved.completed };
    }
    const inserted = await insertProgressIfAbsent(tx, write);
    if (inserted) return { saved: inserted, newlyCompleted: inserted.completed };
  }
  throw new Error('module progress row neither found nor created');
}

export interface CourseProgress extends CourseProgressSummary {
  /** Every module of the course in position order; a module never played is at 0, not completed. */
  modules: (Omit<ModuleProgress, 'updatedAt'> & { position: number; updatedAt: Date | null })[];
}

/** GET: the learner's progress in every module of their course, with the course's summary. */
export async function getCourseProgress(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
): Promise<CourseProgress> {
  await requireLearner(ctx, caller, courseId);
  const [modules, rows, summaries] = await Promise.all([
    listModules(ctx.pool, courseId, { limit: MAX_MODULES_PER_COURSE }),
    listCourseProgress(ctx.pool, courseId, caller.userId),
    summarizeProgress(ctx.pool, caller.userId, [courseId]),
  ]);
  const byModule = new Map(rows.map((row) => [row.moduleId, row]));
  return {
    ...summaries.get(courseId)!,
    modules: modules.map((module) => ({
      moduleId: module.id,
      position: module.position,
      positionSeconds: byModule.get(module.id)?.positionSeconds ?? 0,
      completed: byModule.get(module.id)?.completed ?? false,
      completedAt: byModule.get(module.id)?.completedAt ?? null,
      updatedAt: byModule.get(module.id)?.updatedAt ?? null,
    })),
  };
}

/** GET summary: the course's line on "My courses". */
export async function getProgressSummary(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
): Promise<CourseProgressSummary> {
  await requireLearner(ctx, caller, courseId);
  return (await summarizeProgress(ctx.pool, caller.userId, [courseId])).get(courseId)!;
}
