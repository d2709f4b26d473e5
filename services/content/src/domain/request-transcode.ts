import { randomUUID } from 'node:crypto';
import { withTransaction } from '@moocflix/platform/db';
import { problems } from '@moocflix/platform/errors';
import { enqueueEvent, Topics } from '@moocflix/platform/events';
import { findCourse } from '@moocflix/platform/projections';
import { lockVideo, markQueued } from '../data/video-repository';
import type { ContentContext } from './content-context';
import { isInFlight, type Video } from './video';
import { requireManageAllowed, type Caller } from './video-access';
import { outputPrefixOf } from './video-keys';

export interface TranscodeOutcome {
  video: Video;
  /** False when a request was already in flight: that one is returned, nothing new is queued. */
  created: boolean;
}

/**
 * The course's owner or an admin asks for the HLS renditions. Under the video's row lock: while a
 * request is queued or transcoding, asking again returns it (no duplicate work, no second event);
 * otherwise — first time, or again after ready/failed — a new request id, status `queued`, and a
 * Transcoding-Request in the outbox, committed together.
 */
export async function requestTranscode(
  ctx: ContentContext,
  caller: Caller,
  videoId: string,
): Promise<TranscodeOutcome> {
  return withTransaction(ctx.pool, async (tx) => {
    const video = await lockVideo(tx, videoId);
    if (!video || video.deletedAt) throw problems.notFound('Video');
    requireManageAllowed(await findCourse(tx, video.courseId), caller);
    if (isInFlight(video.status)) return { video, created: false };

    const requestId = randomUUID();
    const requestedAt = new Date();
    const outputPrefix = outputPrefixOf(video.id, requestId);
    const queued = await markQueued(tx, video.id, {
      requestId,
      requestedBy: caller.userId,
      requestedAt,
      outputPrefix,
    });
    await enqueueEvent(tx, Topics.TranscodingRequest, {
      source: ctx.eventSource,
      subject: video.id,
      data: {
        requestId,
        videoId: video.id,
        courseId: video.courseId,
        requestedBy: caller.userId,
        sourceKey: video.sourceKey,
        outputPrefix,
        sourceFormat: video.sourceFormat,
        requestedAt: requestedAt.toISOString(),
      },
    });
    return { video: queued, created: true };
  });
}
