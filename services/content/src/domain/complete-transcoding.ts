import type { Logger } from 'pino';
import type { PoolClient } from '@moocflix/platform/db';
import type { EventData, Topics } from '@moocflix/platform/events';
import { lockVideo, markFailed, markReady } from '../data/video-repository';
import { isSafeHlsPath } from './hls-playlist';
import { isInFlight, type Video } from './video';

type Completion = EventData<typeof Topics.TranscodingCompleted>;

/**
 * Records a transcoder run's outcome, idempotently per (videoId, requestId): only the video's
 * CURRENT request counts, and only once — a redelivery, a second completion of the same run (a
 * worker killed after publishing and run again) or a late one for a superseded request changes
 * nothing. So a video becomes `ready` exactly once per request.
 */
export async function completeTranscoding(
  tx: PoolClient,
  logger: Logger,
  completion: Completion,
): Promise<void> {
  const video = await lockVideo(tx, completion.videoId);
  const log = logger.child({ videoId: completion.videoId, requestId: completion.requestId });
  if (!video || video.requestId !== completion.requestId) {
    log.info('completion for an unknown video or a superseded request ignored');
    return;
  }
  if (!isInFlight(video.status)) {
    log.info({ status: video.status }, 'repeated completion ignored');
    return;
  }
  if (completion.status === 'failed') {
    await markFailed(tx, video.id, completion.error ?? 'transcoding failed');
    return;
  }
  const problem = outputProblem(video, completion);
  if (problem) {
    log.error({ problem }, 'a succeeded completion names unusable outputs; the video is marked failed');
    await markFailed(tx, video.id, `transcoder outputs unusable: ${problem}`);
    return;
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
