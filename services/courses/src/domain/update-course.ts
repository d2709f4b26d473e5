import { withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { lockCourse, updateCourse as saveCourseChanges } from '../data/course-repository';
import { countActiveSeats } from '../data/enrollment-repository';
import { courseUpdatedEvent, type Course, type CourseChanges } from './course';
import { requireAllowed, type Caller } from './course-access';
import type { UseCaseContext } from './use-case-context';

/**
 * Optimistic concurrency: with `expectedVersions` (from If-Match) the update applies only if the
 * course is still at one of them, else 412. Without it the last write wins (If-Match is optional).
 */
export async function updateCourse(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
  changes: CourseChanges,
  expectedVersions?: number[],
): Promise<Course> {
  return withTransaction(ctx.pool, async (tx) => {
    const course = requireAllowed('update-course', await lockCourse(tx, courseId), caller);
    if (expectedVersions && !expectedVersions.includes(course.version)) {
      throw problems.preconditionFailed(`The course is at version ${course.version}; reload it and apply your change again`);
    }
    const opensAt = changes.enrollmentOpensAt !== undefined ? changes.enrollmentOpensAt : course.enrollmentOpensAt;
    const closesAt = changes.enrollmentClosesAt !== undefined ? changes.enrollmentClosesAt : course.enrollmentClosesAt;
    if (opensAt && closesAt && opensAt >= closesAt) {
      throw problems.unprocessable('enrollmentOpensAt must be before enrollmentClosesAt', 'invalid-enrollment-window');
    }
    // Only a lower limit can fall below the seats already taken.
    if (typeof changes.capacity === 'number' && (course.capacity === null || changes.capacity < course.capacity)) {
      const seats = await countActiveSeats(tx, courseId);
      if (changes.capacity < seats) {
        throw problems.conflict(`${seats} students are enrolled; capacity cannot go below that`, 'capacity-below-enrollments');
      }
    }
    const updated = await saveCourseChanges(tx, courseId, changes);
    await enqueueEvent(tx, Topics.CourseUpdate, { source: ctx.eventSource, subject: courseId, data: courseUpdatedEvent(updated) });
    return updated;
  });
}
