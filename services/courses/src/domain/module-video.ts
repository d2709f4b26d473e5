import type { Queryable } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { findVideoCourse } from '../data/known-video-repository';
import type { UseCaseContext } from './use-case-context';

/**
 * A module may reference only a video of its own course. Courses learns which course a video
 * belongs to from content's Video-Uploaded events (the known_videos projection); any other video —
 * another course's, or one nobody uploaded — is 404, as if it did not exist, so a module can never
 * point an enrolled student at someone else's video and the answer reveals nothing about it.
 */
export class VideoNotYetKnown extends Error {
  constructor(readonly videoId: string) {
    super(`video ${videoId} is not in the videos projection`);
  }
}

/** Inside the module's transaction: 404 for another course's video, VideoNotYetKnown for an unknown one. */
export async function requireOwnCourseVideo(
  db: Queryable,
  courseId: string,
  videoId: string | null | undefined,
): Promise<void> {
  if (videoId === null || videoId === undefined) return;
  const videoCourse = await findVideoCourse(db, videoId);
  if (videoCourse === undefined) throw new VideoNotYetKnown(videoId);
  if (videoCourse !== courseId) throw problems.notFound('Video');
}

/**
 * Runs `attempt` (a whole module transaction); when it met a video this service has not heard of,
 * waits a bounded time for the projection to learn it and runs `attempt` once more, else 404.
 *
 * Why wait: an instructor attaches a video the moment its upload answered 201, while its
 * Video-Uploaded event is still crossing the outbox relay and the bus (milliseconds to about a
 * second). Answering 404 then would be a refusal the client cannot tell from a typo; a 409 with
 * Retry-After would make every client write a retry loop for a race the server can absorb. The wait
 * is outside the transaction (no course lock is held), only for an unknown video (an own-course or
 * foreign one answers at once), and after the caller's right to edit the course was checked (the
 * first attempt ran those checks before it looked at the video).
 */
export async function withVideoProjectionWait<T>(ctx: UseCaseContext, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!(err instanceof VideoNotYetKnown)) throw err;
    // Content names videos with UUIDs: any other id can never become known, so no wait for it.
    if (!UUID.test(err.videoId) || !(await waitForVideo(ctx, err.videoId))) throw problems.notFound('Video');
  }
  try {
    return await attempt();
  } catch (err) {
    if (err instanceof VideoNotYetKnown) throw problems.notFound('Video');
    throw err;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function waitForVideo(ctx: UseCaseContext, videoId: string): Promise<boolean> {
  const { timeoutMs, intervalMs } = ctx.videoProjectionWait;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if ((await findVideoCourse(ctx.pool, videoId)) !== undefined) return true;
  }
  return false;
}
