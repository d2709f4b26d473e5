import { createEventConsumer, Topics, type EventConsumer } from '@moocflix/platform-bus';
import type { ServiceContext } from '@moocflix/platform-runtime';
import { saveKnownVideo } from '../data/known-video-repository';

/**
 * Its own group, apart from the users projection's: a backlog of one never delays the other, and a
 * module waiting for its video (see module-video.ts) waits only on this topic.
 */
export const VIDEO_EVENTS_GROUP = 'courses-videos';

/** Builds the local videos projection (which course each video belongs to) from content's events. */
export function createVideoEventsConsumer(ctx: ServiceContext): EventConsumer {
  return createEventConsumer({
    bus: ctx.bus,
    pool: ctx.pool,
    logger: ctx.logger,
    groupId: VIDEO_EVENTS_GROUP,
    handlers: {
      [Topics.VideoUploaded]: (event, tx) =>
        saveKnownVideo(tx, {
          videoId: event.data.videoId,
          courseId: event.data.courseId,
          uploaderId: event.data.uploaderId,
        }),
    },
  });
}
