import { createEventConsumer, Topics, type EventConsumer } from '@moocflix/platform-bus';
import type { ServiceContext } from '@moocflix/platform-runtime';
import { recordCourse, recordCourseDeletion, recordEnrollment } from '@moocflix/platform-bus/projections';

/** The consumer group; the kit records processed event ids per group, which makes redeliveries no-ops. */
export const ASSESSMENTS_EVENTS_GROUP = 'assessments';

/** Keeps the course and enrollment projections from the courses service's events. */
export function createCourseEventsConsumer(ctx: ServiceContext): EventConsumer {
  return createEventConsumer({
    bus: ctx.bus,
    pool: ctx.pool,
    logger: ctx.logger,
    groupId: ASSESSMENTS_EVENTS_GROUP,
    handlers: {
      [Topics.CourseCreation]: (event, tx) => recordCourse(tx, event.data),
      [Topics.CourseUpdate]: (event, tx) => recordCourse(tx, event.data),
      [Topics.CourseDeletion]: (event, tx) => recordCourseDeletion(tx, event.data),
      [Topics.StudentEnrolled]: (event, tx) => recordEnrollment(tx, event.data),
    },
  });
}
