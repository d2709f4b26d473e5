import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { problems } from '@moocflix/platform-core/errors';
import { parseBody, parseParams, parseQuery } from '@moocflix/platform-http';
import type { UseCaseContext } from '../domain/use-case-context';
import { posterUrl } from '../domain/get-poster';
import { getVideo } from '../domain/get-video';
import { requestTranscode } from '../domain/request-transcode';
import { videoView } from '../domain/video';
import type { VideoWatchHub } from '../domain/video-watch';
import { openEventStream } from './video-events';
import { noBody, noQuery, videoParams } from './request-schemas';

/** A video's metadata, its live changes, and transcode requests. */
export function videoRoutes(ctx: UseCaseContext, auth: Authenticator, watches: VideoWatchHub): Router {
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

  // Live transcode progress (Server-Sent Events, read with fetch() since EventSource cannot send the
  // bearer token): the video's JSON at once and on every change of status or progress, until ready
  // or failed. Same access rule as GET /:videoId, decided when the stream opens.
  router.get('/:videoId/events', auth.requireAuth, async (req, res) => {
    const { videoId } = parseParams(videoParams, req);
    parseQuery(noQuery, req);
    const caller = getAuth(req);
    const video = await getVideo(ctx, caller, videoId);
    if (!watches.hasRoom()) {
      throw problems.unavailable(
        'Too many open event streams on this server; retry shortly or read GET /:videoId',
      );
    }
    const stopWatching = watches.watch(video, openEventStream(ctx, req, res, caller));
    res.on('close', stopWatching);
  });

  return router;
}
