import { withTransaction } from '@moocflix/platform-db';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { lockCourse, markCourseDeleted } from '../data/course-repository';
import { deleteCourseModules } from '../data/module-repository';
import { requireAllowed, type Caller } from './course-access';
import type { UseCaseContext } from './use-case-context';

/**
 * Soft-deletes the course (reads answer 404 from now on) and removes its modules. Under the course's
 * lock a second, concurrent delete finds the course already deleted (404), so Course-Deletion is
 * emitted exactly once.
 */
export async function deleteCourse(ctx: UseCaseContext, caller: Caller, courseId: string): Promise<void> {
  await withTransaction(ctx.pool, async (tx) => {
    const course = requireAllowed('delete-course', await lockCourse(tx, courseId), caller);
    const deletedAt = await markCourseDeleted(tx, courseId);
    await deleteCourseModules(tx, courseId);
    await enqueueEvent(tx, Topics.CourseDeletion, {
      source: ctx.eventSource,
      subject: courseId,
      data: { courseId, instructorId: course.instructorId, deletedAt: deletedAt.toISOString() },
    });
  });
}
