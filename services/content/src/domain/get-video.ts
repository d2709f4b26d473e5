import type { UseCaseContext } from './use-case-context';
import type { Video } from './video';
import type { Caller } from './video-access';
import { requireWatchableVideo } from './watch-access';

/** A video's metadata and status, for whoever may watch it. */
export function getVideo(ctx: UseCaseContext, caller: Caller, videoId: string): Promise<Video> {
  return requireWatchableVideo(ctx.pool, caller, videoId);
}
