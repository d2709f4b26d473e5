import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform/auth';
import { parseParams, parseQuery } from '@moocflix/platform/http';
import type { ContentContext } from '../domain/content-context';
import { getPoster } from '../domain/get-poster';
import { openStream } from '../domain/open-stream';
import { serveHlsFile } from '../domain/serve-hls-file';
import { hlsFileParams, hlsFileQuery, noQuery, videoParams } from './request-schemas';
import { sendStoredFile } from './send-stored-file';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
// Served playlists carry tokens: no shared cache may keep them. Segments are immutable per URL.
const PLAYLIST_CACHING = 'private, no-store';
const FILE_CACHING = 'private, max-age=600';

/**
 * Playback: the master playlist (bearer token), the files it names (playback token in the URL,
 * since players fetch those themselves), and the poster (bearer token).
 */
export function playbackRoutes(ctx: ContentContext, auth: Authenticator): Router {
  const router = Router();

  router.get('/:videoId/stream', auth.requireAuth, async (req, res) => {
    const { videoId } = parseParams(videoParams, req);
    parseQuery(noQuery, req);
    const playlist = await openStream(ctx, getAuth(req), videoId);
    res.type(PLAYLIST_TYPE).set('Cache-Control', PLAYLIST_CACHING).send(playlist.text);
  });

  router.get('/:videoId/hls/*path', async (req, res) => {
    const { videoId, path } = parseParams(hlsFileParams, req);
    const { token } = parseQuery(hlsFileQuery, req);
    const served = await serveHlsFile(ctx, videoId, path, token);
    if (served.kind === 'playlist') {
      res.type(PLAYLIST_TYPE).set('Cache-Control', PLAYLIST_CACHING).send(served.text);
      return;
    }
    await sendStoredFile(req, res, served, FILE_CACHING);
  });

  router.get('/:videoId/poster', auth.requireAuth, async (req, res) => {
    const { videoId } = parseParams(videoParams, req);
    parseQuery(noQuery, req);
    await sendStoredFile(req, res, await getPoster(ctx, getAuth(req), videoId), FILE_CACHING);
  });

  return router;
}
