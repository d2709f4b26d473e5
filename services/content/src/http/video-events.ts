import type { Server } from 'node:http';
import type { Request, Response } from 'express';
import type { Caller } from '../domain/video-access';
import type { UseCaseContext } from '../domain/use-case-context';
import { posterUrl } from '../domain/get-poster';
import { videoView, type Video } from '../domain/video';
import type { VideoWatcher } from '../domain/video-watch';

/** A client that reads slower than this much is behind by minutes of updates: it is cut off. */
const MAX_BUFFERED_BYTES = 256 * 1024;

/**
 * The Server-Sent Events framing of one stream: `event: video` with the same JSON as
 * GET /:videoId, `: keepalive` comments. Headers go out at once, so a proxy or the fetch() reading
 * the stream sees the answer begin before the first change.
 */
export function openEventStream(
  ctx: UseCaseContext,
  req: Request,
  res: Response,
  caller: Caller,
): VideoWatcher {
  res.status(200);
  res.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    // nginx (ingress-nginx) buffers responses by default; an event stream must not wait in a buffer.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  // The kit's HTTP server drains in-flight requests on shutdown before it stops the services; a
  // stream would hold that drain until its timeout. The server stops listening first, so a stream
  // ends within a tick of that.
  const server = (req.socket as { server?: Server }).server;
  const write = (chunk: string) => {
    if (res.writableEnded || res.destroyed) return;
    res.write(chunk);
    if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
  };
  return {
    send(video: Video) {
      const view = videoView(video, posterUrl(ctx, video, caller.userId));
      write(`event: video\ndata: ${JSON.stringify(view)}\n\n`);
    },
    keepAlive() {
      write(': keepalive\n\n');
    },
    end() {
      if (!res.writableEnded) res.end();
    },
    abandoned() {
      return res.destroyed || (server !== undefined && !server.listening);
    },
  };
}
