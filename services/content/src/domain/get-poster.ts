import { problems } from '@moocflix/platform-core/errors';
import { findVideo } from '../data/video-repository';
import type { UseCaseContext } from './use-case-context';
import { requirePlaybackGrant } from './playback-grant';
import { storedFile, type ServedFile } from './served-file';
import { playableOutputs, type Video } from './video';
import type { Caller } from './video-access';
import { requireWatchableVideo } from './watch-access';

/** The poster image of a transcoded video, for whoever may watch it; 409 before the first transcode. */
export async function getPoster(ctx: UseCaseContext, caller: Caller, videoId: string): Promise<ServedFile> {
  return posterOf(ctx, await requireWatchableVideo(ctx.pool, caller, videoId));
}

/**
 * The poster for a URL holding a playback token instead of a bearer token (an <img> or a <video
 * poster> cannot send headers): the token, issued to a watcher for this video, is the permission.
 */
export async function getPosterByToken(
  ctx: UseCaseContext,
  videoId: string,
  token: string,
): Promise<ServedFile> {
  requirePlaybackGrant(ctx, token, videoId);
  const video = await findVideo(ctx.pool, videoId);
  if (!video) throw problems.notFound('Video');
  return posterOf(ctx, video);
}

/**
 * A URL of the video's poster that works without a bearer token for the playback token's lifetime,
 * for a caller already allowed to watch it; null while there is no poster.
 */
export function posterUrl(ctx: UseCaseContext, video: Video, watcherId: string): string | null {
  if (!playableOutputs(video)?.posterPath) return null;
  const { token } = ctx.playback.tokens.issue(video.id, watcherId);
  return `${ctx.playback.basePath}/${video.id}/poster?token=${token}`;
}

function posterOf(ctx: UseCaseContext, video: Video): Promise<ServedFile> {
  const outputs = playableOutputs(video);
  if (!outputs) throw problems.conflict(`The video has no poster yet (status ${video.status})`, 'not-ready');
  if (outputs.posterPath === null) throw problems.notFound('Poster');
  return storedFile(ctx, outputs.prefix + outputs.posterPath, outputs.posterPath);
}
