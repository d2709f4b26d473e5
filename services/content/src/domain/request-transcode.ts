import { randomUUID } from 'node:crypto';
import { withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { findCourse } from '@moocflix/platform-bus/projections';
import { lockVideo } from '../data/video-repository';
import type { UseCaseContext } from './use-case-context';
import { isInFlight, type Video } from './video';
import { requireManageAllowed, type Caller } from './video-access';
import { issueAttempt } from './transcode-attempts';

export interface TranscodeOutcome {
  video: Video;
  /** False when a request was already in flight: that one is returned, nothing new is queued. */
  created: boolean;
}

/**
 * The course's owner or an admin asks for the HLS renditions. Under the video's row lock: while a
 * request is queued or transcoding, asking again returns it (no duplicate work, no second event);
 * otherwise — first time, or again after ready/failed — a new request id, its first attempt
 * (status `queued`, a lease, a Transcoding-Request in the outbox), committed together. Later
 * attempts at the same request are the lease sweeper's (transcode-attempts.ts).
 */
export async function requestTranscode(
  ctx: UseCaseContext,
  caller: Caller,
  videoId: string,
): Promise<TranscodeOutcome> {
  return withTransaction(ctx.pool, async (tx) => {
    const video = await lockVideo(tx, videoId);
    if (!video || video.deletedAt) throw problems.notFound('Video');
    requireManageAllowed(await findCourse(tx, video.courseId), caller);
    if (isInFlight(video.status)) return { video, created: false };

    const request = { requestId: randomUUID(), requestedBy: caller.userId, requestedAt: new Date() };
    const queued = await issueAttempt(tx, ctx.transcoding, video, request, 1);
    return { video: queued, created: true };
  });
}
