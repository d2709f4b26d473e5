import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { withTransaction, type Pool, type PoolClient } from '@moocflix/platform-db';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { schedulePurge } from '../data/storage-purge-repository';
import { lockExpiredLeases, markFailed, markQueued } from '../data/video-repository';
import { servedRunPrefix, type Video } from './video';
import { outputPrefixOf } from './video-keys';

/**
 * How transcode attempts are leased and retried. An attempt is lost when its lease runs out: while
 * it waits for a transcoder, `queueTimeoutMs` after it was issued (a backlog is not a failure, so
 * this is long); once a transcoder works on it, `leaseMs` after its last progress tick (the
 * transcoder repeats its last tick as a heartbeat, much more often than that).
 */
export interface TranscodeAttemptPolicy {
  leaseMs: number;
  queueTimeoutMs: number;
  /** Attempts per request, the first one included; then the video is failed. */
  maxAttempts: number;
  /** CloudEvents `source` of the events this service produces. */
  eventSource: string;
}

/** What a new attempt belongs to: the video's logical request, which every attempt shares. */
export interface TranscodeRequest {
  requestId: string;
  requestedBy: string;
  requestedAt: Date;
}

/**
 * Issues attempt number `attempt` of the request (inside the caller's transaction, the video row
 * locked): the video goes back to `queued` with a fresh lease and an output folder of the attempt's
 * own, and the Transcoding-Request is written to the outbox in the same transaction. The first
 * attempt's id is the request id: what events from producers that predate attempts carry.
 */
export async function issueAttempt(
  tx: PoolClient,
  policy: TranscodeAttemptPolicy,
  video: Video,
  request: TranscodeRequest,
  attempt: number,
): Promise<Video> {
  const attemptId = attempt === 1 ? request.requestId : randomUUID();
  const outputPrefix = outputPrefixOf(video.id, attemptId);
  const queued = await markQueued(tx, video.id, {
    ...request,
    attemptId,
    attempt,
    outputPrefix,
    leaseMs: policy.queueTimeoutMs,
  });
  await enqueueEvent(tx, Topics.TranscodingRequest, {
    source: policy.eventSource,
    subject: video.id,
    data: {
      requestId: request.requestId,
      attemptId,
      attempt,
      videoId: video.id,
      courseId: video.courseId,
      requestedBy: request.requestedBy,
      sourceKey: video.sourceKey,
      outputPrefix,
      sourceFormat: video.sourceFormat,
      sourceDurationSeconds: video.durationSeconds,
      requestedAt: request.requestedAt.toISOString(),
    },
  });
  return queued;
}

/**
 * The current attempt of an in-flight video is lost (`why`: its lease expired, or its run died and
 * said so): the next attempt is issued, or after the last one the video is failed with `reason`
 * (what GET returns in `error`). Either way the lost attempt's folder is purged — a new attempt
 * writes elsewhere, and what a dead run left is never served. Returns whether it scheduled a purge.
 */
export async function retryOrFail(
  tx: PoolClient,
  logger: Logger,
  policy: TranscodeAttemptPolicy,
  video: Video,
  why: { lost: string; reason: string },
): Promise<boolean> {
  const attempt = video.attempt ?? 1;
  const log = logger.child({ videoId: video.id, requestId: video.requestId, attemptId: video.attemptId });
  const purged = await purgeUnservedRun(tx, video, `lost transcode attempt ${attempt}: ${why.lost}`);
  if (attempt < policy.maxAttempts && video.requestId && video.requestedBy && video.requestedAt) {
    log.warn({ attempt, why: why.lost }, 'transcode attempt lost; issuing the next one');
    await issueAttempt(
      tx,
      policy,
      video,
      { requestId: video.requestId, requestedBy: video.requestedBy, requestedAt: video.requestedAt },
      attempt + 1,
    );
    return purged;
  }
  log.error({ attempt, why: why.lost }, 'transcode attempts exhausted; the video is failed');
  await markFailed(tx, video.id, why.reason);
  // The video's outcome, for whoever follows transcodes (the uploader's notification): the runs'
  // own failures were retryable and not outcomes, and a lost run published nothing at all.
  await enqueueEvent(tx, Topics.TranscodingCompleted, {
    source: policy.eventSource,
    subject: video.id,
    data: {
      requestId: video.requestId ?? video.id,
      attemptId: video.attemptId ?? video.requestId ?? video.id,
      attempt,
      videoId: video.id,
      status: 'failed',
      renditions: [],
      masterPlaylistKey: null,
      posterKey: null,
      durationSeconds: null,
      error: why.reason,
      retryable: false,
      completedAt: new Date().toISOString(),
    },
  });
  return purged;
}

/** The current attempt's folder, unless it is the one being served (never the case with a folder per run). */
export async function purgeUnservedRun(tx: PoolClient, video: Video, reason: string): Promise<boolean> {
  const prefix = video.outputPrefix;
  if (prefix === null || prefix === servedRunPrefix(video)) return false;
  await schedulePurge(tx, prefix, reason);
  return true;
}

// Leases handled per transaction; a sweep repeats while it finds a full batch.
const SWEEP_BATCH = 20;

/**
 * One sweep for lost attempts: every in-flight video whose lease expired gets its next attempt or
 * is failed. Each batch is one transaction (rows locked, skipped by other replicas' sweeps), so the
 * attempt row and its outbox event commit together. Returns whether a purge was scheduled.
 */
export async function sweepExpiredLeases(
  pool: Pool,
  logger: Logger,
  policy: TranscodeAttemptPolicy,
  signal?: AbortSignal,
): Promise<boolean> {
  let purged = false;
  for (;;) {
    const handled = await withTransaction(pool, async (tx) => {
      const expired = await lockExpiredLeases(tx, SWEEP_BATCH);
      for (const video of expired) {
        const attempts = video.attempt ?? 1;
        const why =
          video.status === 'queued'
            ? {
                lost: 'no transcoder picked the request up in time',
                reason: `no transcoder picked the request up in ${attempts} attempt${attempts === 1 ? '' : 's'}`,
              }
            : {
                lost: 'the transcoder stopped sending progress',
                reason: `transcoder stopped responding after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
              };
        if (await retryOrFail(tx, logger, policy, video, why)) purged = true;
      }
      return expired.length;
    });
    if (handled < SWEEP_BATCH || signal?.aborted) return purged;
  }
}
