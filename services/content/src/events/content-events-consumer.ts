import { createEventConsumer, Topics, type EventConsumer } from '@moocflix/platform/events';
import type { ServiceContext } from '@moocflix/platform/runtime';
import { completeTranscoding } from '../domain/complete-transcoding';
import { recordCourse, recordCourseDeletion, recordEnrollment } from '@moocflix/platform/projections';
import { recordTranscodingProgress } from '../domain/record-transcoding-progress';

/** The consumer group; the kit records processed event ids per group, which makes redeliveries no-ops. */
export const CONTENT_EVENTS_GROUP = 'content';

/** The course and enrollment projections, and the transcoder's progress and completions. */
export function createContentEventsConsumer(ctx: ServiceContext): EventConsumer {
  return createEventConsumer({
    bus: ctx.bus,
    pool: ctx.pool,
    logger: ctx.logger,
    groupId: CONTENT_EVENTS_GROUP,
    handlers: {
      [Topics.CourseCreation]: (event, tx) => recordCourse(tx, event.data),
      [Topics.CourseUpdate]: (event, tx) => recordCourse(tx, event.data),
      [Topics.CourseDeletion]: (event, tx) => recordCourseDeletion(tx, event.data),
      [Topics.StudentEnrolled]: (event, tx) => recordEnrollment(tx, event.data),
      [Topics.TranscodingProgress]: (event, tx) => recordTranscodingProgress(tx, event.data),
      [Topics.TranscodingCompleted]: (event, tx) => completeTranscoding(tx, ctx.logger, event.data),
    },
  });
}
