import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../e2e/stack/control';
import { Topics } from '@moocflix/platform-bus';
import { outputPrefixOf, sourceKeyOf } from '../src/domain/video-keys';
import { ContentUnderTest, expectProblem, type User } from './support/content-under-test';
import { generateClip } from './support/media';
import { succeededCompletion } from './support/completions';


// jest ignores the integration project's testTimeout (a global option), so the file sets its own.
jest.setTimeout(120_000);

let app: ContentUnderTest;
let dir: string;
let clip: string;
let owner: User;
let otherInstructor: User;
let admin: User;
let student: User;
let courseId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-transcoding-test-'));
  app = await ContentUnderTest.start('transcoding');
  [owner, otherInstructor, admin, student] = await app.users('instructor', 'instructor', 'admin', 'student');
  clip = await generateClip(join(dir, 'lecture.mp4'), { width: 320, height: 240, seconds: 2 });
  courseId = await app.knownCourse(owner);
});
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function uploadedVideo(): Promise<string> {
  const response = await app.upload(owner, courseId, clip);
  expect(response.status).toBe(201);
  return response.body.videoId;
}

async function queuedVideo(): Promise<{ videoId: string; requestId: string }> {
  const videoId = await uploadedVideo();
  const response = await app.request('POST', `/${videoId}/transcode`, owner);
  expect(response.status).toBe(202);
  return { videoId, requestId: response.body.requestId };
}

const videoOf = (videoId: string) => app.videoState(videoId, owner);

describe('POST /api/v1/content/:videoId/transcode', () => {
  it('queues the video: 202, the row, and one Transcoding-Request on Kafka keyed by the video id', async () => {
    const videoId = await uploadedVideo();
    const response = await app.request('POST', `/${videoId}/transcode`, owner);

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ videoId, status: 'queued', requestId: expect.any(String) });
    const { requestId } = response.body;
    expect(await app.videoRow(videoId)).toMatchObject({
      status: 'queued',
      request_id: requestId,
      requested_by: owner.id,
      output_prefix: outputPrefixOf(videoId, requestId),
    });

    const [request] = await waitFor(
      () => {
        const events = app.requestsFor(videoId);
        expect(events).toHaveLength(1);
        return events;
      },
      { timeoutMs: 30_000 },
    );
    expect(request!.type).toBe('io.moocflix.transcoding.requested');
    expect(request!.data).toEqual({
      requestId,
      // The request's first attempt: its id is the request id.
      attemptId: requestId,
      attempt: 1,
      videoId,
      courseId,
      requestedBy: owner.id,
      sourceKey: sourceKeyOf(videoId),
      outputPrefix: outputPrefixOf(videoId, requestId),
      sourceFormat: 'mov',
      // What the upload's probe measured: the transcoder and the operator plan chunks from it.
      sourceDurationSeconds: expect.closeTo(2, 0),
      requestedAt: expect.any(String),
    });
  });

  it('returns the request in flight to a second (and a concurrent) call: same requestId, one event', async () => {
    const videoId = await uploadedVideo();
    const calls = await Promise.all([1, 2, 3].map(() => app.request('POST', `/${videoId}/transcode`, owner)));
    expect(calls.map((c) => c.status)).toEqual([202, 202, 202]);
    const requestIds = new Set(calls.map((c) => c.body.requestId));
    expect(requestIds.size).toBe(1);
    const again = await app.request('POST', `/${videoId}/transcode`, admin);
    expect(again.body).toEqual({ videoId, status: 'queued', requestId: calls[0]!.body.requestId });

    // One outbox row, published; and exactly one event on Kafka, even a while later.
    expect(await app.outboxRows(Topics.TranscodingRequest, videoId)).toHaveLength(1);
    await waitFor(
      async () =>
        expect(await app.outboxRows(Topics.TranscodingRequest, videoId)).toEqual([{ published: true }]),
      { timeoutMs: 30_000 },
    );
    await waitFor(() => expect(app.requestsFor(videoId)).toHaveLength(1), { timeoutMs: 30_000 });
    await sleep(1_000);
    expect(app.requestsFor(videoId)).toHaveLength(1);
  });

  it('lets an admin request a transcode', async () => {
    const videoId = await uploadedVideo();
    const response = await app.request('POST', `/${videoId}/transcode`, admin);
    expect(response.status).toBe(202);
    expect((await app.videoRow(videoId))!.requested_by).toBe(admin.id);
  });

  it('refuses another instructor and a student (403) and changes nothing', async () => {
    const videoId = await uploadedVideo();
    expectProblem(await app.request('POST', `/${videoId}/transcode`, otherInstructor), 403);
    expectProblem(await app.request('POST', `/${videoId}/transcode`, student), 403);
    expect(await app.videoRow(videoId)).toMatchObject({ status: 'uploaded', request_id: null });
    expect(await app.outboxRows(Topics.TranscodingRequest, videoId)).toHaveLength(0);
  });

  it('answers 404 for an unknown video, 400 for a malformed id, a body or a query, and 401 without a token', async () => {
    const videoId = await uploadedVideo();
    expectProblem(await app.request('POST', `/${randomUUID()}/transcode`, owner), 404);
    expectProblem(await app.request('POST', '/not-a-uuid/transcode', owner), 400);
    expectProblem(
      await app.request('POST', `/${videoId}/transcode`, owner, { body: { preset: 'fast' } }),
      400,
    );
    expectProblem(await app.request('POST', `/${videoId}/transcode?priority=high`, owner), 400);
    expectProblem(await app.request('POST', `/${videoId}/transcode`, undefined), 401);
    expect((await app.videoRow(videoId))!.status).toBe('uploaded');
  });
});

describe('Transcoding-Progress', () => {
  it('moves queued to transcoding on the first tick, only ever grows, and ignores other requests', async () => {
    const { videoId, requestId } = await queuedVideo();
    const at = () => new Date().toISOString();
    const ticks = [
      await app.publish(Topics.TranscodingProgress, videoId, {
        requestId,
        videoId,
        progress: 40.7,
        at: at(),
      }),
      await app.publish(Topics.TranscodingProgress, videoId, { requestId, videoId, progress: 20, at: at() }),
      await app.publish(Topics.TranscodingProgress, videoId, {
        requestId: randomUUID(),
        videoId,
        progress: 90,
        at: at(),
      }),
    ];
    await app.waitUntilConsumed(...ticks.map((t) => t.id));
    expect(await videoOf(videoId)).toMatchObject({ status: 'transcoding', progress: 40 });

    // 100% is the completion's to say: a last tick stays at 99.
    await app.waitUntilConsumed(
      (
        await app.publish(Topics.TranscodingProgress, videoId, {
          requestId,
          videoId,
          progress: 100,
          at: at(),
        })
      ).id,
    );
    expect(await videoOf(videoId)).toMatchObject({ status: 'transcoding', progress: 99 });
    // Still in flight: asking again returns the same request.
    expect((await app.request('POST', `/${videoId}/transcode`, owner)).body).toEqual({
      videoId,
      status: 'transcoding',
      requestId,
    });
  });
});

describe('Transcoding-Completed', () => {
  it('makes the video ready with its renditions, once: a redelivery and a second completion change nothing', async () => {
    const { videoId, requestId } = await queuedVideo();
    const completion = await app.publish(
      Topics.TranscodingCompleted,
      videoId,
      succeededCompletion(videoId, requestId),
    );
    await app.waitUntilConsumed(completion.id);

    const ready = await videoOf(videoId);
    expect(ready).toMatchObject({
      status: 'ready',
      progress: 100,
      renditions: [{ name: '240p', width: 320, height: 240, bandwidth: 396_000 }],
      error: null,
    });
    const prefix = outputPrefixOf(videoId, requestId);
    expect(await app.videoRow(videoId)).toMatchObject({
      playback_prefix: prefix,
      master_playlist_key: `${prefix}master.m3u8`,
      poster_key: `${prefix}poster.jpg`,
    });

    // The same event again (a redelivery), and the same run reported again (a worker killed after
    // publishing, then run again) — even as failed — change nothing.
    await app.republish(Topics.TranscodingCompleted, completion);
    const second = await app.publish(
      Topics.TranscodingCompleted,
      videoId,
      succeededCompletion(videoId, requestId, {
        status: 'failed',
        renditions: [],
        masterPlaylistKey: null,
        posterKey: null,
        error: 'worker died',
      }),
    );
    await app.waitUntilConsumed(second.id);
    await sleep(500);
    expect(await videoOf(videoId)).toEqual(ready);
  });

  it('marks the video failed with the reason, and a new request may follow (new requestId, new event)', async () => {
    const { videoId, requestId } = await queuedVideo();
    const failure = await app.publish(
      Topics.TranscodingCompleted,
      videoId,
      succeededCompletion(videoId, requestId, {
        status: 'failed',
        renditions: [],
        masterPlaylistKey: null,
        posterKey: null,
        error: 'ffmpeg exited with 1',
      }),
    );
    await app.waitUntilConsumed(failure.id);
    expect(await videoOf(videoId)).toMatchObject({
      status: 'failed',
      error: 'ffmpeg exited with 1',
      renditions: [],
    });
    expectProblem(await app.request('GET', `/${videoId}/stream`, owner), 409);

    const retry = await app.request('POST', `/${videoId}/transcode`, owner);
    expect(retry.status).toBe(202);
    expect(retry.body.requestId).not.toBe(requestId);
    expect(await videoOf(videoId)).toMatchObject({
      status: 'queued',
      error: null,
      requestId: retry.body.requestId,
    });
    await waitFor(
      () =>
        expect(app.requestsFor(videoId).map((e) => e.data.requestId)).toEqual([
          requestId,
          retry.body.requestId,
        ]),
      { timeoutMs: 30_000 },
    );
  });

  it('ignores a completion of a superseded request', async () => {
    const { videoId, requestId } = await queuedVideo();
    const failure = await app.publish(
      Topics.TranscodingCompleted,
      videoId,
      succeededCompletion(videoId, requestId, { status: 'failed', error: 'boom' }),
    );
    await app.waitUntilConsumed(failure.id);
    const retry = await app.request('POST', `/${videoId}/transcode`, owner);
    const late = await app.publish(
      Topics.TranscodingCompleted,
      videoId,
      succeededCompletion(videoId, requestId),
    );
    await app.waitUntilConsumed(late.id);
    expect(await videoOf(videoId)).toMatchObject({ status: 'queued', requestId: retry.body.requestId });
  });

  it('refuses outputs outside the request’s folder: the video fails instead of pointing playback elsewhere', async () => {
    const { videoId, requestId } = await queuedVideo();
    const forged = await app.publish(
      Topics.TranscodingCompleted,
      videoId,
      succeededCompletion(videoId, requestId, {
        masterPlaylistKey: `videos/${randomUUID()}/hls/x/master.m3u8`,
      }),
    );
    await app.waitUntilConsumed(forged.id);
    const video = await videoOf(videoId);
    expect(video).toMatchObject({ status: 'failed' });
    expect(video.error).toMatch(/outside/);
    expect((await app.videoRow(videoId))!.master_playlist_key).toBeNull();
  });
});

describe('GET /api/v1/content/:videoId', () => {
  it('shows the video to the owner, admins and actively enrolled students; 403 to anyone else', async () => {
    const videoId = await uploadedVideo();
    const [enrolled, dropped, outsider] = await app.users('student', 'student', 'student');
    await app.enroll(enrolled, courseId, owner.id);
    await app.enroll(dropped, courseId, owner.id, 'inactive');

    for (const caller of [owner, admin, enrolled]) {
      const response = await app.request('GET', `/${videoId}`, caller);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ videoId, courseId, status: 'uploaded' });
    }
    for (const caller of [otherInstructor, dropped, outsider]) {
      expectProblem(await app.request('GET', `/${videoId}`, caller), 403);
      expectProblem(await app.request('GET', `/${videoId}/stream`, caller), 403);
      expectProblem(await app.request('GET', `/${videoId}/poster`, caller), 403);
    }
  });

  it('answers 404 for an unknown video, 400 for a malformed id or query, 401 without a token', async () => {
    const videoId = await uploadedVideo();
    expectProblem(await app.request('GET', `/${randomUUID()}`, owner), 404);
    expectProblem(await app.request('GET', '/12345', owner), 400);
    expectProblem(await app.request('GET', `/${videoId}?fields=all`, owner), 400);
    expectProblem(await app.request('GET', `/${videoId}`, undefined), 401);
  });

  it('answers 409 for the stream and poster of a video not transcoded yet', async () => {
    const videoId = await uploadedVideo();
    const response = await app.request('GET', `/${videoId}/stream`, owner);
    expectProblem(response, 409);
    expect(response.body.reason).toBe('not-ready');
    expectProblem(await app.request('GET', `/${videoId}/poster`, owner), 409);
  });
});

describe('GET /api/v1/content/openapi.json', () => {
  it('lists every route', async () => {
    const response = await app.request('GET', '/openapi.json', undefined);
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths).sort()).toEqual([
      '/api/v1/content/upload',
      '/api/v1/content/{videoId}',
      '/api/v1/content/{videoId}/events',
      '/api/v1/content/{videoId}/hls/{path}',
      '/api/v1/content/{videoId}/poster',
      '/api/v1/content/{videoId}/stream',
      '/api/v1/content/{videoId}/transcode',
    ]);
  });

  it('is ready when its database is', async () => {
    const response = await fetch(`${app.service.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ checks: { database: 'ok' } });
  });
});
