import { problems } from '@moocflix/platform-core/errors';
import type { UseCaseContext } from './use-case-context';
import { rewritePlaylist } from './hls-playlist';
import { playableOutputs } from './video';
import type { Caller } from './video-access';
import { requireWatchableVideo } from './watch-access';

/** A playlist ready to send: every URI points back at this service with a playback token. */
export interface ServedPlaylist {
  text: string;
  /** Epoch seconds after which the URIs in it stop working. */
  expiresAt: number;
}

export const hlsFileUrl = (ctx: UseCaseContext, videoId: string, path: string, token: string): string =>
  `${ctx.playback.basePath}/${videoId}/hls/${path}?token=${token}`;

/**
 * Playback entry point: the master playlist for the course's owner, admins and actively enrolled
 * students (403 for anyone else, 409 before the first successful transcode). A fresh short-lived
 * token scoped to (video, caller) goes into every URI, since players cannot send our bearer token
 * with the variant and segment requests they make themselves.
 */
export async function openStream(
  ctx: UseCaseContext,
  caller: Caller,
  videoId: string,
): Promise<ServedPlaylist> {
  const video = await requireWatchableVideo(ctx.pool, caller, videoId);
  const outputs = playableOutputs(video);
  if (!outputs)
    throw problems.conflict(`The video is not ready to stream (status ${video.status})`, 'not-ready');
  const { token, grant } = ctx.playback.tokens.issue(video.id, caller.userId);
  const master = await ctx.playback.outputs.readPlaylist(outputs.prefix + outputs.masterPath);
  if (master === undefined) throw new Error(`master playlist of video ${video.id} is missing from storage`);
  return {
    text: rewritePlaylist(master, outputs.masterPath, (path) => hlsFileUrl(ctx, video.id, path, token)),
    expiresAt: grant.expiresAt,
  };
}
