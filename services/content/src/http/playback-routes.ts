import { Router, type RequestHandler } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseParams, parseQuery } from '@moocflix/platform-http';
import type { UseCaseContext } from '../domain/use-case-context';
import { getPoster, getPosterByToken } from '../domain/get-poster';
import { openStream } from '../domain/open-stream';
import { serveHlsFile } from '../domain/serve-hls-file';
import { hlsFileParams, hlsFileQuery, noQuery, posterQuery, videoParams } from './request-schemas';
import { sendStoredFile } from './send-stored-file';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
// Served playlists carry tokens: no shared cache may keep them. Segments are immutable per URL.
const PLAYLIST_CACHING = 'private, no-store';
const FILE_CACHING = 'private, max-age=600';

/**
 * Playback: the master playlist (bearer token), the files it names (playback token in the URL,
 * since players fetch those themselves), and the poster (bearer token, or a playback token in its URL).
 */
export function playbackRoutes(ctx: UseCaseContext, auth: Authenticator): Router {
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

  // With ?token= (the video's posterUrl) no bearer token is needed: <img> sends no headers.
  const bearerUnlessTokenInUrl: RequestHandler = (req, res, next) =>
    req.query.token === undefined ? auth.requireAuth(req, res, next) : next();
  router.get('/:videoId/poster', bearerUnlessTokenInUrl, async (req, res) => {
    const { videoId } = parseParams(videoParams, req);
    const { token } = parseQuery(posterQuery, req);
    const poster =
      token === undefined
        ? await getPoster(ctx, getAuth(req), videoId)
        : await getPosterByToken(ctx, videoId, token);
    await sendStoredFile(req, res, poster, FILE_CACHING);
  });

  return router;
}
