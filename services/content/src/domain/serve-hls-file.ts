import { problems } from '@moocflix/platform-core/errors';
import { findVideo } from '../data/video-repository';
import type { UseCaseContext } from './use-case-context';
import { isPlaylistPath, rewritePlaylist } from './hls-playlist';
import { hlsFileUrl } from './open-stream';
import { requirePlaybackGrant } from './playback-grant';
import { storedFile, type ServedFile } from './served-file';
import { playableOutputs } from './video';

export type ServedHlsFile = { kind: 'playlist'; text: string } | ServedFile;

/**
 * A file a served playlist names — a variant playlist (rewritten in turn, with the same token) or an
 * init/media segment —, authorized by the playback token in its URL. Only the files the run's
 * playlists name are served; anything else under the video's folder is 404.
 */
export async function serveHlsFile(
  ctx: UseCaseContext,
  videoId: string,
  path: string,
  token: string,
): Promise<ServedHlsFile> {
  requirePlaybackGrant(ctx, token, videoId);
  const video = await findVideo(ctx.pool, videoId);
  const outputs = video && playableOutputs(video);
  if (!outputs) throw problems.notFound('Video');
  const files = await ctx.playback.catalog.files(outputs.prefix, outputs.masterPath, {
    growing: video.status === 'playable',
  });
  if (!files.has(path)) throw problems.notFound('File');

  const key = outputs.prefix + path;
  if (isPlaylistPath(path)) {
    const text = await ctx.playback.outputs.readPlaylist(key);
    if (text === undefined) throw problems.notFound('File');
    return { kind: 'playlist', text: rewritePlaylist(text, path, (p) => hlsFileUrl(ctx, videoId, p, token)) };
  }
  return storedFile(ctx, key, path);
}
