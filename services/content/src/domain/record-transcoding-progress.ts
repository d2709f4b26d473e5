import type { PoolClient } from '@moocflix/platform-db';
import { transcodeAttemptOf, type EventData, type Topics } from '@moocflix/platform-bus';
import { lockVideo, saveProgress } from '../data/video-repository';
import { isInFlight } from './video';

/**
 * A progress tick of the current attempt, which is also its heartbeat: it renews the attempt's
 * lease (a tick repeating the last percentage does only that). The first one moves `queued` to
 * `transcoding`; the percentage only grows (ticks may be redelivered out of order after a
 * rebalance) and stays below 100 until the completion says the outputs are really there. Ticks of
 * another request or of a superseded attempt (a run the sweeper gave up on) change nothing.
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
  await saveProgress(tx, video.id, { status: 'transcoding', percent, leaseMs });
}
