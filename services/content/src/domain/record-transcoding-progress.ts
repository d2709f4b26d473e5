import type { PoolClient } from '@moocflix/platform-db';
import { transcodeAttemptOf, type EventData, type Topics } from '@moocflix/platform-bus';
import { lockVideo, savePreview, saveProgress } from '../data/video-repository';
import { isSafeHlsPath } from './hls-playlist';
import { isInFlight, type Video } from './video';

/**
 * A progress tick of the current attempt, which is also its heartbeat: it renews the attempt's
 * lease (a tick repeating the last percentage does only that). The first one moves `queued` to
 * `transcoding`; the percentage only grows (ticks may be redelivered out of order after a
 * rebalance) and stays below 100 until the completion says the outputs are really there. Ticks of
 * another request or of a superseded attempt (a run the sweeper gave up on) change nothing.
 *
 * A tick may carry the run's preview: on a first transcode (nothing served yet) the video becomes
 * `playable` and the preview is served until the ladder is ready. On a re-transcode the previous
 * full ladder stays served rather than a 360p preview. The preview's files must lie in the
 * attempt's own folder, like a completion's outputs.
 */
export async function recordTranscodingProgress(
  tx: PoolClient,
  tick: EventData<typeof Topics.TranscodingProgress>,
  leaseMs: number,
): Promise<void> {
  const video = await lockVideo(tx, tick.videoId);
  if (
    !video ||
    video.deletedAt ||
    video.requestId !== tick.requestId ||
    video.attemptId !== transcodeAttemptOf(tick).attemptId ||
    !isInFlight(video.status)
  )
    return;
  const percent = Math.max(video.progress, Math.min(99, Math.floor(tick.progress)));
  const status = video.status === 'playable' ? 'playable' : 'transcoding';
  await saveProgress(tx, video.id, { status, percent, leaseMs });
  if (status === 'transcoding' && tick.preview && video.playbackPrefix === null) {
    await servePreview(tx, video, tick.preview);
  }
}

async function servePreview(
  tx: PoolClient,
  video: Video,
  preview: NonNullable<EventData<typeof Topics.TranscodingProgress>['preview']>,
): Promise<void> {
  const prefix = video.outputPrefix;
  const inside = (key: string) =>
    prefix !== null && key.startsWith(prefix) && isSafeHlsPath(key.slice(prefix.length));
  if (
    !inside(preview.masterPlaylistKey) ||
    preview.renditions.some((r) => r.playlistKey && !inside(r.playlistKey))
  ) {
    return; // not ours to serve: the ladder's completion will say whether the run is any good
  }
  await savePreview(tx, video.id, {
    playbackPrefix: prefix!,
    masterPlaylistKey: preview.masterPlaylistKey,
    renditions: preview.renditions.map(({ name, width, height, bandwidth, codecs }) => ({
      name,
      width,
      height,
      bandwidth,
      ...(codecs === undefined ? {} : { codecs }),
    })),
  });
}
