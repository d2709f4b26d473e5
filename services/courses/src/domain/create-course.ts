import { withTransaction } from '@moocflix/platform-db';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { insertCourse } from '../data/course-repository';
import { courseCreatedEvent, type Course, type CourseDraft } from './course';
import type { Caller } from './course-access';
import type { UseCaseContext } from './use-case-context';

/** The caller (an instructor or admin; the router checks the role) becomes the course's owner. */
export async function createCourse(ctx: UseCaseContext, caller: Caller, draft: CourseDraft): Promise<Course> {
  return withTransaction(ctx.pool, async (tx) => {
    const course = await insertCourse(tx, caller.userId, draft);
    await enqueueEvent(tx, Topics.CourseCreation, { source: ctx.eventSource, subject: course.id, data: courseCreatedEvent(course) });
    return course;
  });
}
