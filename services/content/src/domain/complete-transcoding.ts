import type { Logger } from 'pino';
import type { PoolClient } from '@moocflix/platform/db';
import type { EventData, Topics } from '@moocflix/platform/events';
import { schedulePurge } from '../data/storage-purge-repository';
import { lockVideo, markFailed, markReady } from '../data/video-repository';
import { isSafeHlsPath } from './hls-playlist';
import { isInFlight, type Video } from './video';
import { videoFolderOf } from './video-keys';

type Completion = EventData<typeof Topics.TranscodingCompleted>;

/**
 * Records a transcoder run's outcome, idempotently per (videoId, requestId): only the video's
 * CURRENT request counts, and only once — a redelivery, a second completion of the same run (a
 * worker killed after publishing and run again) or a late one for a superseded request changes
 * nothing. So a video becomes `ready` exactly once per request.
 *
 * Storage no longer referenced is scheduled for purging in the same transaction: the previous run's
 * folder once the new one is served, a failed run's partial outputs (the served run stays), and
 * whatever a run wrote into a video deleted meanwhile. Returns whether it scheduled a purge.
 */
export async function completeTranscoding(
  tx: PoolClient,
  logger: Logger,
  completion: Completion,
): Promise<boolean> {
  const video = await lockVideo(tx, completion.videoId);
  const log = logger.child({ videoId: completion.videoId, requestId: completion.requestId });
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
  if (!isInFlight(video.status)) {
    log.info({ status: video.status }, 'repeated completion ignored');
    return false;
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
  // Players are only ever handed the served run's files, so the replaced run's are unreachable now.
  const replaced = video.playbackPrefix;
  if (replaced === null || replaced === video.outputPrefix) return false;
  await schedulePurge(tx, replaced, 'replaced by a re-transcode');
  return true;
}

/** The current request's folder, unless it is the one being served (never the case with a folder per run). */
async function purgeUnservedRun(tx: PoolClient, video: Video, reason: string): Promise<boolean> {
  const prefix = video.outputPrefix;
  if (prefix === null || prefix === video.playbackPrefix) return false;
  await schedulePurge(tx, prefix, reason);
  return true;
}

/**
 * Outputs must lie in the folder the request named: playback serves files by key, so a completion
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
