import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { watchVideo } from '../src/lib/watch-video';
import type { Video } from '../src/api/client';

// A real HTTP server playing the content service: the SSE route, or (an older service) only GET.
let server: Server;
let origin: string;
let polls = 0;
const video = (videoId: string, status: Video['status'], progress: number) => ({ videoId, status, progress, title: 't' });

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/api/v1/content/live/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(`event: video\ndata: ${JSON.stringify(video('live', 'transcoding', 40))}\n\n: keepalive\n\n`);
      setTimeout(() => res.end(`event: video\ndata: ${JSON.stringify(video('live', 'ready', 100))}\n\n`), 50);
      return;
    }
    if (req.url === '/api/v1/content/old') {
      polls += 1;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(polls < 3 ? video('old', 'transcoding', polls * 30) : video('old', 'ready', 100)));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/problem+json' }).end('{"status":404,"title":"Not Found"}');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((ok) => server.close(ok)));

describe('watchVideo', () => {
  it('follows the Server-Sent Events until a terminal status', async () => {
    const seen: string[] = [];
    const last = await watchVideo('live', (v) => seen.push(`${v.status}:${v.progress}`), new AbortController().signal, { origin });
    expect(seen).toEqual(['transcoding:40', 'ready:100']);
    expect(last?.status).toBe('ready');
  });

  it('polls GET when the event route answers 404, until ready', async () => {
    const seen: string[] = [];
    const last = await watchVideo('old', (v) => seen.push(`${v.status}:${v.progress}`), new AbortController().signal, { origin, pollMs: 20 });
    expect(seen).toEqual(['transcoding:30', 'transcoding:60', 'ready:100']);
    expect(last?.status).toBe('ready');
  });
});
