import { createEventConsumer, Topics, type EventConsumer } from '@moocflix/platform-bus';
import type { ServiceContext } from '@moocflix/platform-runtime';
import { completeTranscoding } from '../domain/complete-transcoding';
import { recordCourse, recordEnrollment } from '@moocflix/platform-bus/projections';
import { deleteCourseVideos } from '../domain/delete-course-videos';
import { recordTranscodingProgress } from '../domain/record-transcoding-progress';
import type { StoragePurger } from '../domain/storage-purger';
import type { TranscodeAttemptPolicy } from '../domain/transcode-attempts';

/** The consumer group; the kit records processed event ids per group, which makes redeliveries no-ops. */
export const CONTENT_EVENTS_GROUP = 'content';

/**
 * The course and enrollment projections, and the transcoder's progress and completions. Handlers
 * that schedule storage purges wake the purger once their transaction has committed: woken earlier,
 * it would not see the purges yet.
 */
export function createContentEventsConsumer(
  ctx: ServiceContext,
  purger: StoragePurger,
  transcoding: TranscodeAttemptPolicy,
): EventConsumer {
  return createEventConsumer({
    bus: ctx.bus,
    pool: ctx.pool,
    logger: ctx.logger,
    groupId: CONTENT_EVENTS_GROUP,
    handlers: {
      [Topics.CourseCreation]: (event, tx) => recordCourse(tx, event.data),
      [Topics.CourseUpdate]: (event, tx) => recordCourse(tx, event.data),
      [Topics.CourseDeletion]: async (event, tx, { afterCommit }) => {
        if ((await deleteCourseVideos(tx, event.data)) > 0) afterCommit(() => purger.wake());
      },
      [Topics.StudentEnrolled]: (event, tx) => recordEnrollment(tx, event.data),
      [Topics.TranscodingProgress]: (event, tx) =>
        recordTranscodingProgress(tx, event.data, transcoding.leaseMs),
      [Topics.TranscodingCompleted]: async (event, tx, { afterCommit }) => {
        if (await completeTranscoding(tx, ctx.logger, transcoding, event.data))
          afterCommit(() => purger.wake());
      },
    },
  });
}
