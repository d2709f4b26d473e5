import { authFetch, type Video } from '../api/client';
import { SseParser } from './sse';

const TERMINAL = new Set(['ready', 'failed']);
const POLL_MS = 2000;
/** The live route; the second spelling is the contract's, kept until the content service settles on one. */
const EVENT_ROUTES = (id: string) => [`/api/v1/content/${id}/events`, `/api/v1/videos/${id}/events`];
const POLL_MS_DEFAULT = POLL_MS;

/**
 * Follows a video's transcode until it is ready or failed: Server-Sent Events read with fetch()
 * streaming (EventSource cannot send the bearer token), or, where the event route answers 404,
 * GET every 2 s. `onUpdate` gets every new state; the promise ends with the terminal one.
 */
export async function watchVideo(
  videoId: string,
  onUpdate: (v: Video) => void,
  signal: AbortSignal,
  // The API's origin: '' in the browser (same origin); tests point it at their server.
  { origin = '', pollMs = POLL_MS_DEFAULT }: { origin?: string; pollMs?: number } = {},
): Promise<Video | null> {
  for (const path of EVENT_ROUTES(videoId)) {
    const res = await authFetch(origin + path, { headers: { Accept: 'text/event-stream' }, signal });
    if (res.status === 404 || res.status === 405) continue;
    if (!res.ok || !res.body) break;
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let last = null as Video | null;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(value)) {
        if (event.event !== 'video') continue;
        last = JSON.parse(event.data) as Video;
        onUpdate(last);
      }
      if (last && TERMINAL.has(last.status)) {
        await reader.cancel().catch(() => undefined);
        return last;
      }
    }
    if (last && TERMINAL.has(last.status)) return last;
    break; // the stream ended early: polling finishes the job
  }
  while (!signal.aborted) {
    const res = await authFetch(`${origin}/api/v1/content/${videoId}`, { signal });
    if (res.ok) {
      const video = (await res.json()) as Video;
      onUpdate(video);
      if (TERMINAL.has(video.status)) return video;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return null;
}
