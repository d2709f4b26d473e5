/**
 * GET /api/v1/content/:videoId/events: live transcode progress as Server-Sent Events, fed from the
 * database (so from whichever replica consumed the progress), on the real stack. The video is driven
 * through uploaded → queued → transcoding with progress → ready by the events the transcoder would
 * publish; the stream must carry each state in order and end after the terminal one.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Topics } from '@moocflix/platform-bus';
import { waitFor } from '../../../e2e/stack/control';
import { BASE, ContentUnderTest, expectProblem, type User } from './support/content-under-test';
import { generateClip } from './support/media';
import { succeededCompletion } from './support/completions';

jest.setTimeout(120_000);

const MAX_STREAMS = 3;

let app: ContentUnderTest | undefined;
let dir: string;
let clip: string;
let owner: User;
let courseId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-events-test-'));
  app = await ContentUnderTest.start('events', {
    VIDEO_EVENT_STREAMS_MAX: String(MAX_STREAMS),
    VIDEO_EVENT_POLL_INTERVAL_MS: '100',
    VIDEO_EVENT_KEEPALIVE_MS: '400',
  });
  [owner] = await app.users('instructor');
  clip = await generateClip(join(dir, 'lecture.mp4'), { width: 320, height: 240, seconds: 1 });
  courseId = await app.knownCourse(owner);
});
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const service = () => app!;

/** One open event stream, read as a browser's fetch() would: events and comments, in order. */
class EventStream {
  readonly events: Array<{ event: string; data: Record<string, unknown> }> = [];
  comments = 0;
  ended = false;
  failed: unknown;
  private readonly waiters = new Set<() => void>();
  private readonly done: Promise<void>;

  constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.done = this.read();
  }

  static async open(videoId: string, as: User): Promise<EventStream | Response> {
    const abort = new AbortController();
    const response = await fetch(`${service().service.url}${BASE}/${videoId}/events`, {
      headers: { authorization: `Bearer ${as.token}` },
      signal: abort.signal,
    });
    if (response.status !== 200) return response;
    return new EventStream(response, abort);
  }

  /** Waits (bounded) until `count` events have arrived. */
  async untilEvents(count: number): Promise<void> {
    await this.until(() => this.events.length >= count, `${count} events`);
  }

  async untilEnded(): Promise<void> {
    await this.until(() => this.ended, 'the end of the stream');
  }

  async until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.failed) throw new Error(`the stream failed: ${String(this.failed)}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.add(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, boundary));
          buffer = buffer.slice(boundary + 2);
        }
        this.wake();
      }
      this.ended = true;
    } catch (err) {
      if (!this.abort.signal.aborted) this.failed = err;
    }
    this.wake();
  }

  private parse(block: string): void {
    if (block.startsWith(':')) {
      this.comments += 1;
      return;
    }
    const fields = Object.fromEntries(
      block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
    );
    this.events.push({ event: fields.event!, data: JSON.parse(fields.data!) as Record<string, unknown> });
  }

  private wake(): void {
    for (const resolve of this.waiters) resolve();
    this.waiters.clear();
  }
}

async function openStream(videoId: string, as: User = owner): Promise<EventStream> {
  const stream = await EventStream.open(videoId, as);
  if (!(stream instanceof EventStream))
    throw new Error(`stream refused: ${stream.status} ${await stream.text()}`);
  return stream;
}

async function uploadedVideo(): Promise<string> {
  const response = await service().upload(owner, courseId, clip);
  expect(response.status).toBe(201);
  return response.body.videoId;
}

const states = (stream: EventStream) => stream.events.map((e) => [e.event, e.data.status, e.data.progress]);

describe('GET /api/v1/content/:videoId/events', () => {
  it('streams the video at once and on every change, queued → transcoding with progress → ready, then ends', async () => {
    const app = service();
    const videoId = await uploadedVideo();
    const stream = await openStream(videoId);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('cache-control')).toBe('no-store');

    await stream.untilEvents(1);
    // The same JSON as GET /:videoId (posterUrl aside: its playback token is fresh on every read).
    const { posterUrl: _fresh, ...first } = stream.events[0]!.data;
    expect(first).toEqual(await app.videoState(videoId, owner));

    const transcode = await app.request('POST', `/${videoId}/transcode`, owner);
    expect(transcode.status).toBe(202);
    const { requestId } = transcode.body;
    await stream.untilEvents(2);

    for (const [i, progress] of [20, 55].entries()) {
      const tick = await app.publish(Topics.TranscodingProgress, videoId, {
        requestId,
        videoId,
        progress,
        at: new Date().toISOString(),
      });
      await app.waitUntilConsumed(tick.id);
      await stream.untilEvents(3 + i);
    }
    // A tick repeating the percentage (the transcoder's heartbeat) changes nothing: no event.
    const heartbeat = await app.publish(Topics.TranscodingProgress, videoId, {
      requestId,
      videoId,
      progress: 55,
      at: new Date().toISOString(),
    });
    await app.waitUntilConsumed(heartbeat.id);
    await sleep(300);
    expect(stream.events).toHaveLength(4);

    const completion = await app.publish(
      Topics.TranscodingCompleted,
      videoId,
      succeededCompletion(videoId, requestId, { durationSeconds: 1 }),
    );
    await app.waitUntilConsumed(completion.id);
    await stream.untilEnded();

    expect(states(stream)).toEqual([
      ['video', 'uploaded', 0],
      ['video', 'queued', 0],
      ['video', 'transcoding', 20],
      ['video', 'transcoding', 55],
      ['video', 'ready', 100],
    ]);
    const { posterUrl, ...last } = stream.events[4]!.data;
    expect(last).toEqual(await app.videoState(videoId, owner));
    expect(posterUrl).toMatch(new RegExp(`^${BASE}/${videoId}/poster\\?token=`));
  });

  it('is fed from the database: a change another replica wrote shows up; a failed video ends the stream', async () => {
    const app = service();
    const videoId = await uploadedVideo();
    const stream = await openStream(videoId);
    await stream.untilEvents(1);
    // What a progress consumed by another content process does: a row update, nothing in this process.
    await app.db.query("UPDATE videos SET status = 'transcoding', progress = 12 WHERE id = $1", [videoId]);
    await stream.untilEvents(2);
    await app.db.query("UPDATE videos SET status = 'failed', error = 'broken' WHERE id = $1", [videoId]);
    await stream.untilEnded();
    expect(states(stream)).toEqual([
      ['video', 'uploaded', 0],
      ['video', 'transcoding', 12],
      ['video', 'failed', 12],
    ]);
    expect(stream.events[2]!.data.error).toBe('broken');
  });

  it('sends one event and ends at once for a video already ready; ends when the video is deleted', async () => {
    const app = service();
    const ready = await uploadedVideo();
    await app.db.query("UPDATE videos SET status = 'ready', progress = 100 WHERE id = $1", [ready]);
    const done = await openStream(ready);
    await done.untilEnded();
    expect(states(done)).toEqual([['video', 'ready', 100]]);

    const deleted = await uploadedVideo();
    const stream = await openStream(deleted);
    await stream.untilEvents(1);
    await app.db.query('UPDATE videos SET deleted_at = now() WHERE id = $1', [deleted]);
    await stream.untilEnded();
    expect(stream.events).toHaveLength(1);
  });

  it('keeps an idle stream alive with comments', async () => {
    const stream = await openStream(await uploadedVideo());
    await stream.until(() => stream.comments >= 2, 'two keep-alive comments');
    expect(stream.events).toHaveLength(1);
    await stream.close();
  });

  it('answers like GET /:videoId to those who may not watch: 403, 404, 401, 400', async () => {
    const app = service();
    const videoId = await uploadedVideo();
    const [outsider, otherInstructor, dropped] = await app.users('student', 'instructor', 'student');
    await app.enroll(dropped, courseId, owner.id, 'inactive');
    for (const caller of [outsider, otherInstructor, dropped]) {
      const refused = await app.request('GET', `/${videoId}/events`, caller);
      expectProblem(refused, 403);
    }
    expectProblem(await app.request('GET', `/${randomUUID()}/events`, owner), 404);
    expectProblem(await app.request('GET', `/${videoId}/events`, undefined), 401);
    expectProblem(await app.request('GET', '/12345/events', owner), 400);
    expectProblem(await app.request('GET', `/${videoId}/events?since=1`, owner), 400);

    // An actively enrolled student may watch, so may follow.
    const [enrolled] = await app.users('student');
    await app.enroll(enrolled, courseId, owner.id);
    const stream = await openStream(videoId, enrolled);
    await stream.untilEvents(1);
    await stream.close();
  });

  it(`refuses a stream beyond ${MAX_STREAMS} open ones with 503 problem+json; a closed one frees its place`, async () => {
    const videoId = await uploadedVideo();
    const open = await Promise.all(Array.from({ length: MAX_STREAMS }, () => openStream(videoId)));
    const refused = await service().request('GET', `/${videoId}/events`, owner);
    expectProblem(refused, 503);

    await open[0]!.close();
    const again = await waitFor(async () => {
      const stream = await EventStream.open(videoId, owner);
      return stream instanceof EventStream && stream;
    });
    await Promise.all([...open.slice(1), again].map((s) => s.close()));
  });

  it('ends every open stream cleanly when the service shuts down', async () => {
    const stream = await openStream(await uploadedVideo());
    await stream.untilEvents(1);
    const closing = service().close();
    app = undefined;
    await stream.untilEnded();
    expect(stream.failed).toBeUndefined();
    await closing;
  });
});
