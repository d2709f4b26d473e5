import type { PoolClient } from '@moocflix/platform/db';
import type { EventData, Topics } from '@moocflix/platform/events';
import { lockVideo, saveProgress } from '../data/video-repository';
import { isInFlight } from './video';

/**
 * A progress tick of the current request: the first one moves `queued` to `transcoding`; the
 * percentage only grows (ticks may be redelivered out of order after a rebalance) and stays below
 * 100 until the completion says the outputs are really there.
 */
export async function recordTranscodingProgress(
  tx: PoolClient,
  tick: EventData<typeof Topics.TranscodingProgress>,
): Promise<void> {
  const video = await lockVideo(tx, tick.videoId);
  if (!video || video.deletedAt || video.requestId !== tick.requestId || !isInFlight(video.status)) return;
  const progress = Math.max(video.progress, Math.min(99, Math.floor(tick.progress)));
  if (video.status === 'transcoding' && progress === video.progress) return;
  await saveProgress(tx, video.id, 'transcoding', progress);
}
