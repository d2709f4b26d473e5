import type { Logger } from 'pino';
import type { PoolClient } from '@moocflix/platform-db';
import { transcodeAttemptOf, type EventData, type Topics } from '@moocflix/platform-bus';
import { schedulePurge } from '../data/storage-purge-repository';
import { lockVideo, markFailed, markReady } from '../data/video-repository';
import { isSafeHlsPath } from './hls-playlist';
import { isInFlight, servedRunPrefix, type Video } from './video';
import { purgeUnservedRun, retryOrFail, type TranscodeAttemptPolicy } from './transcode-attempts';
import { outputPrefixOf, previewKeysOf, videoFolderOf } from './video-keys';

type Completion = EventData<typeof Topics.TranscodingCompleted>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Records a transcoder run's outcome, idempotently per (videoId, attemptId): only the video's
 * CURRENT attempt counts, and only once — a redelivery, a second completion of the same run (a
 * worker killed after publishing and run again) or a late one for a superseded attempt or request
 * changes nothing. So a video becomes `ready` exactly once per request.
 *
 * A run that failed as a run (`retryable`: its Job or pod died) is retried as a new attempt up to
 * the limit, like a lost lease; a failure the transcoder found in the video itself is the outcome.
 *
 * Storage no longer referenced is scheduled for purging in the same transaction: the previous run's
 * folder once the new one is served, the ready run's own preview, a failed or superseded run's outputs (the served run stays),
 * and whatever a run wrote into a video deleted meanwhile. Returns whether it scheduled a purge.
 */
export async function completeTranscoding(
  tx: PoolClient,
  logger: Logger,
  policy: TranscodeAttemptPolicy,
  completion: Completion,
): Promise<boolean> {
  const video = await lockVideo(tx, completion.videoId);
  const { attemptId } = transcodeAttemptOf(completion);
  const log = logger.child({ videoId: completion.videoId, requestId: completion.requestId, attemptId });
  if (video?.deletedAt) {
    // The run may have written after the video's folder was purged: purge it again.
    log.info('completion for a deleted video: its folder is purged again');
    await schedulePurge(tx, videoFolderOf(video.id), 'transcoder run finished after the video was deleted');
    return true;
  }
  if (!video || video.requestId !== completion.requestId) {
    log.info('completion for an unknown video or a superseded request ignored');
    return false;
  }
  if (video.attemptId !== attemptId) {
    // A run given up on (its lease expired) finished after all: what it wrote is never served.
    log.info({ currentAttemptId: video.attemptId }, 'completion of a superseded attempt ignored');
    // Attempt ids are UUIDs this service made; anything else names no folder of ours.
    if (!UUID.test(attemptId)) return false;
    const folder = outputPrefixOf(video.id, attemptId);
    if (folder === servedRunPrefix(video) || folder === video.outputPrefix) return false;
    await schedulePurge(tx, folder, 'superseded transcode attempt finished');
    return true;
  }
  if (!isInFlight(video.status)) {
    log.info({ status: video.status }, 'repeated completion ignored');
    return false;
  }
  if (completion.status === 'failed' && completion.retryable === true) {
    const attempts = video.attempt ?? 1;
    const error = completion.error ?? 'transcoder run failed';
    return retryOrFail(tx, logger, policy, video, {
      lost: error,
      reason: `transcoding failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${error}`,
    });
  }
  if (completion.status === 'failed') {
    await markFailed(tx, video.id, completion.error ?? 'transcoding failed');
    return purgeUnservedRun(tx, video, 'failed transcoder run');
  }
  const problem = outputProblem(video, completion);
  if (problem) {
    log.error({ problem }, 'a succeeded completion names unusable outputs; the video is marked failed');
    await markFailed(tx, video.id, `transcoder outputs unusable: ${problem}`);
    return purgeUnservedRun(tx, video, 'transcoder run with unusable outputs');
  }
  await markReady(tx, video.id, {
    playbackPrefix: video.outputPrefix!,
    masterPlaylistKey: completion.masterPlaylistKey!,
    posterKey: completion.posterKey,
    renditions: completion.renditions.map(({ name, width, height, bandwidth, codecs }) => ({
      name,
      width,
      height,
      bandwidth,
      ...(codecs === undefined ? {} : { codecs }),
    })),
    durationSeconds: completion.durationSeconds,
  });
  // The run's own preview is unreachable from now on too: playback serves only the files the
  // ready master names (hls-catalog.ts). Purged whether or not it was served (a re-transcode's
  // preview never is) and whether or not the run made one (purging nothing costs one listing).
  const previewPurged = await purgePreview(tx, video.outputPrefix!, completion);
  // Players are only ever handed the served run's files, so the replaced run's are unreachable now.
  const replaced = servedRunPrefix(video);
  if (replaced === null || replaced === video.outputPrefix) return previewPurged;
  await schedulePurge(tx, replaced, 'replaced by a re-transcode');
  return true;
}

/**
 * Schedules the deletion of the ready run's preview files, unless the completion serves any of
 * them (a producer naming the preview as its ladder keeps it: a purge must never break playback).
 * Scheduling twice is harmless (the purge of a prefix is idempotent), but a repeated completion
 * never gets here anyway.
 */
async function purgePreview(tx: PoolClient, prefix: string, completion: Completion): Promise<boolean> {
  const served = [
    completion.masterPlaylistKey,
    completion.posterKey,
    ...completion.renditions.map((r) => r.playlistKey),
  ];
  const previewKeys = previewKeysOf(prefix).filter(
    (key) => !served.some((s) => s !== null && s !== undefined && s.startsWith(key)),
  );
  for (const key of previewKeys) await schedulePurge(tx, key, 'preview of a run whose ladder is ready');
  return previewKeys.length > 0;
}

/**
 * Outputs must lie in the folder the attempt was given: playback serves files by key, so a completion
 * (from any producer on the topic) must not be able to point it at another video's or any other object.
 */
function outputProblem(video: Video, completion: Completion): string | null {
  const prefix = video.outputPrefix;
  if (prefix === null) return 'the video has no output folder';
  const inside = (key: string) => key.startsWith(prefix) && isSafeHlsPath(key.slice(prefix.length));
  if (completion.masterPlaylistKey === null) return 'no master playlist';
  if (!inside(completion.masterPlaylistKey))
    return `master playlist ${completion.masterPlaylistKey} is outside ${prefix}`;
  if (completion.posterKey !== null && !inside(completion.posterKey))
    return `poster ${completion.posterKey} is outside ${prefix}`;
  if (completion.renditions.length === 0) return 'no renditions';
  return null;
}
