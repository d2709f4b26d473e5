import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseBody, parseParams, parseQuery } from '@moocflix/platform-http';
import type { ContentContext } from '../domain/content-context';
import { posterUrl } from '../domain/get-poster';
import { getVideo } from '../domain/get-video';
import { requestTranscode } from '../domain/request-transcode';
import { videoView } from '../domain/video';
import { noBody, noQuery, videoParams } from './request-schemas';

/** A video's metadata, and transcode requests. */
export function videoRoutes(ctx: ContentContext, auth: Authenticator): Router {
  const router = Router();

  router.post(
    '/:videoId/transcode',
    auth.requireAuth,
    auth.requireRole('instructor', 'admin'),
    async (req, res) => {
      const { videoId } = parseParams(videoParams, req);
      parseQuery(noQuery, req);
      parseBody(noBody, req);
      const { video } = await requestTranscode(ctx, getAuth(req), videoId);
      res
        .status(202)
        .location(`${req.baseUrl}/${video.id}`)
        .json({ videoId: video.id, status: video.status, requestId: video.requestId });
    },
  );

  router.get('/:videoId', auth.requireAuth, async (req, res) => {
    const { videoId } = parseParams(videoParams, req);
    parseQuery(noQuery, req);
    const caller = getAuth(req);
    const video = await getVideo(ctx, caller, videoId);
    res.json(videoView(video, posterUrl(ctx, video, caller.userId)));
  });

  return router;
}
