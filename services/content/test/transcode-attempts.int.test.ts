import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../e2e/stack/control';
import { parseEvent, Topics, type EventData, type Subscription } from '@moocflix/platform-bus';
import { positionGroupAtEnd } from '@moocflix/platform-testing';
import { outputPrefixOf } from '../src/domain/video-keys';
import { ContentUnderTest, type User } from './support/content-under-test';
import { playEveryVariant } from './support/hls-player';
import { generateClip } from './support/media';
import {
  startTranscoderProcess,
  startTranscoderWorker,
  type TranscoderProcess,
} from './support/transcoder-worker';
import { succeededCompletion } from './support/completions';

// Transcode attempts and their leases, on the real stack with the real transcoder: a transcoder that
// dies mid-encode loses its lease and the request is attempted again (a new attempt id, so nothing
// downstream takes it for a duplicate); the outcome of an attempt given up on changes nothing.
// Small leases so the test does not wait minutes; the queue timeout stays long (a worker restarting
// into its Kafka group takes a session timeout to be handed the partition).
jest.setTimeout(400_000);

const LEASE_MS = 3_000;
const CONTENT_ENV = {
  TRANSCODE_LEASE_MS: String(LEASE_MS),
  TRANSCODE_QUEUE_TIMEOUT_MS: '180000',
  TRANSCODE_MAX_ATTEMPTS: '3',
  TRANSCODE_LEASE_SWEEP_INTERVAL_MS: '200',
};
// Well inside the lease, as the defaults are (15 s against 2 min).
const TRANSCODER_ENV = { TRANSCODER_HEARTBEAT_MS: '500' };

type Completion = EventData<typeof Topics.TranscodingCompleted>;

let app: ContentUnderTest;
let dir: string;
let owner: User;
let courseId: string;
let killed: TranscoderProcess | undefined;
let successor: { close(): Promise<void> } | undefined;
let completionsRecorder: Subscription;
const completions: Completion[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-attempts-test-'));
  app = await ContentUnderTest.start('attempts', CONTENT_ENV);
  owner = await app.user('instructor');
  courseId = await app.knownCourse(owner);
  completionsRecorder = await app.bus.subscribe({
    groupId: `content-test-completions-${randomUUID()}`,
    topics: [Topics.TranscodingCompleted],
    startFrom: 'earliest',
    handler: async (message) => {
      completions.push(parseEvent(Topics.TranscodingCompleted, message.value).data);
    },
  });
});

afterAll(async () => {
  if (killed && killed.child.exitCode === null && killed.child.signalCode === null)
    killed.child.kill('SIGKILL');
  await successor?.close();
  await completionsRecorder?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const row = async (videoId: string) => (await app.videoRow(videoId))!;

/** The Transcoding-Requests of the video that reached Kafka, as (requestId, attemptId, attempt). */
const attemptsOnKafka = (videoId: string) =>
  app.requestsFor(videoId).map(({ data }) => ({
    requestId: data.requestId,
    attemptId: data.attemptId,
    attempt: data.attempt,
    outputPrefix: data.outputPrefix,
  }));

async function queuedVideo(clip: string): Promise<{ videoId: string; requestId: string }> {
  const upload = await app.upload(owner, courseId, clip);
  // The whole answer, so a refusal says why.
  expect({ status: upload.status, body: upload.body }).toMatchObject({ status: 201 });
  const videoId: string = upload.body.videoId;
  const response = await app.request('POST', `/${videoId}/transcode`, owner);
  expect(response.status).toBe(202);
  return { videoId, requestId: response.body.requestId };
}

const tick = (videoId: string, requestId: string, attemptId: string, attempt: number, progress: number) =>
  app.publish(Topics.TranscodingProgress, videoId, {
    requestId,
    attemptId,
    attempt,
    videoId,
    progress,
    at: new Date().toISOString(),
  });

/** Waits until the sweeper issued attempt `n` of the video (row and event), returning its id. */
async function attemptIssued(videoId: string, n: number): Promise<string> {
  return waitFor(
    async () => {
      const current = await row(videoId);
      expect(current).toMatchObject({ attempt: n, status: 'queued', progress: 0 });
      const onKafka = attemptsOnKafka(videoId);
      expect(onKafka.map((a) => a.attempt)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(onKafka[n - 1]!.attemptId).toBe(current.attempt_id);
      return current.attempt_id as string;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: `attempt ${n} of ${videoId}` },
  );
}

it('gives a transcoder killed mid-encode a successor attempt once its lease expires; a restarted worker finishes it, once', async () => {
  const clip = await generateClip(join(dir, 'lecture.mp4'), { width: 960, height: 540, seconds: 8 });
  const groupId = `content-test-attempts-${randomUUID()}`;
  await positionGroupAtEnd(process.env.KAFKA_BROKERS!.split(','), groupId, Topics.TranscodingRequest);
  // A slow preset, so the kill lands while ffmpeg is encoding.
  killed = startTranscoderProcess(app.bucket, groupId, {
    TRANSCODER_X264_PRESET: 'medium',
    ...TRANSCODER_ENV,
  });
  const { videoId, requestId } = await queuedVideo(clip);

  // Transcoding (content consumed a tick of attempt 1), then the worker dies and nobody restarts it.
  await waitFor(async () => expect(await row(videoId)).toMatchObject({ status: 'transcoding', attempt: 1 }), {
    timeoutMs: 120_000,
    intervalMs: 200,
  });
  killed.child.kill('SIGKILL');
  await killed.exited;
  const lostAt = Date.now();

  // The lease runs out: attempt 2, a new id and its own folder, same request.
  const attempt2 = await attemptIssued(videoId, 2);
  expect(Date.now() - lostAt).toBeGreaterThanOrEqual(LEASE_MS - 1_000);
  expect(attempt2).not.toBe(requestId);
  expect(attemptsOnKafka(videoId)).toEqual([
    { requestId, attemptId: requestId, attempt: 1, outputPrefix: outputPrefixOf(videoId, requestId) },
    { requestId, attemptId: attempt2, attempt: 2, outputPrefix: outputPrefixOf(videoId, attempt2) },
  ]);
  expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'queued', requestId, error: null });
  expect(completions.filter((c) => c.videoId === videoId)).toEqual([]);

  // A worker restarted into the group: it is handed attempt 1 again (never acknowledged) and attempt 2.
  successor = await startTranscoderWorker(app.storage, groupId, TRANSCODER_ENV);
  await waitFor(
    async () => {
      const { body } = await app.request('GET', `/${videoId}`, owner);
      if (body.status === 'failed') throw new Error(`transcoding failed: ${body.error}`);
      expect(body.status).toBe('ready');
    },
    { timeoutMs: 240_000, intervalMs: 500 },
  );
  const ready = await app.videoState(videoId, owner);
  expect(ready).toMatchObject({ status: 'ready', progress: 100, requestId, error: null });
  expect((ready.renditions as { name: string }[]).map((r) => r.name)).toEqual(['360p', '540p']);
  // Served from attempt 2's folder: whatever attempt 1 did, it is not what plays.
  expect(await row(videoId)).toMatchObject({
    attempt: 2,
    attempt_id: attempt2,
    playback_prefix: outputPrefixOf(videoId, attempt2),
    lease_expires_at: null,
  });

  // One effect: the video became ready once and stays as it is, whatever else arrives (the redone
  // attempt 1 completes too, unless attempt 2 overtook it; it is ignored), and no attempt 3.
  await waitFor(
    async () =>
      expect(
        completions.filter((c) => c.videoId === videoId && c.attemptId === attempt2).map((c) => c.status),
      ).toEqual(['succeeded']),
    { timeoutMs: 30_000 },
  );
  await sleep(LEASE_MS + 2_000);
  expect(await app.videoState(videoId, owner)).toEqual(ready);
  expect(attemptsOnKafka(videoId)).toHaveLength(2);
  // Attempt 1's folder is purged: nothing a superseded run wrote is kept.
  await waitFor(async () => expect(await app.objectKeys(outputPrefixOf(videoId, requestId))).toEqual([]), {
    timeoutMs: 30_000,
  });

  // And it plays.
  const stream = await app.request('GET', `/${videoId}/stream`, owner);
  expect(stream.status).toBe(200);
  expect(await playEveryVariant(app, stream.body, dir)).toHaveLength(2);
});

describe('an attempt given up on', () => {
  let clip: string;
  beforeAll(async () => {
    // These tests play the transcoder themselves: no real one may be left to take their requests.
    if (killed && killed.child.exitCode === null && killed.child.signalCode === null) {
      killed.child.kill('SIGKILL');
      await killed.exited;
    }
    await successor?.close();
    successor = undefined;
    clip = await generateClip(join(dir, 'short.mp4'), { width: 320, height: 240, seconds: 2 });
  });

  it('is ignored when it completes or ticks after its successor started; the current attempt’s completion wins', async () => {
    const { videoId, requestId } = await queuedVideo(clip);
    // A (simulated) transcoder takes attempt 1 up and goes silent.
    const first = await tick(videoId, requestId, requestId, 1, 30);
    await app.waitUntilConsumed(first.id);
    expect(await row(videoId)).toMatchObject({ status: 'transcoding', progress: 30, attempt: 1 });
    const attempt2 = await attemptIssued(videoId, 2);
    // Attempt 1's folder was purged when attempt 2 was issued; the slow run writes into it again.
    const folder1 = outputPrefixOf(videoId, requestId);
    await waitFor(
      async () =>
        (await app.db.query('SELECT 1 FROM storage_purges WHERE prefix = $1', [folder1])).rowCount === 0,
      { timeoutMs: 30_000, description: 'the purge of attempt 1’s folder' },
    );
    await app.storage.put(`${folder1}master.m3u8`, '#EXTM3U\n');
    const before = await row(videoId);

    // Attempt 1 was only slow: its progress and its success arrive now, and change nothing…
    const staleTick = await tick(videoId, requestId, requestId, 1, 80);
    const staleSuccess = await app.publish(
      Topics.TranscodingCompleted,
      videoId,
      succeededCompletion(videoId, requestId, { attemptId: requestId, attempt: 1, posterKey: null }),
    );
    // …nor does a completion of the request that names no attempt (a producer older than attempts: attempt 1).
    const {
      attemptId: _a,
      attempt: _n,
      ...legacy
    } = succeededCompletion(videoId, requestId, { attemptId: requestId, attempt: 1, posterKey: null });
    const staleLegacy = await app.publish(Topics.TranscodingCompleted, videoId, legacy);
    await app.waitUntilConsumed(staleTick.id, staleSuccess.id, staleLegacy.id);
    expect(await row(videoId)).toEqual(before);
    expect(await app.videoState(videoId, owner)).toMatchObject({
      status: 'queued',
      progress: 0,
      error: null,
    });
    // …except that what the late run wrote is purged again.
    await waitFor(async () => expect(await app.objectKeys(folder1)).toEqual([]), { timeoutMs: 30_000 });

    // Attempt 2 ticks (its lease renewed) and completes: ready, from attempt 2's folder.
    const current = await tick(videoId, requestId, attempt2, 2, 50);
    await app.waitUntilConsumed(current.id);
    const renewed = await row(videoId);
    expect(renewed).toMatchObject({ status: 'transcoding', progress: 50, attempt: 2 });
    expect((renewed.lease_expires_at as Date).getTime()).toBeGreaterThan(Date.now());
    const done = await app.publish(
      Topics.TranscodingCompleted,
      videoId,
      succeededCompletion(videoId, requestId, { attemptId: attempt2, attempt: 2, posterKey: null }),
    );
    await app.waitUntilConsumed(done.id);
    expect(await row(videoId)).toMatchObject({
      status: 'ready',
      playback_prefix: outputPrefixOf(videoId, attempt2),
      master_playlist_key: `${outputPrefixOf(videoId, attempt2)}master.m3u8`,
    });

    // A failure of attempt 1 arriving last changes nothing either.
    const ready = await app.videoState(videoId, owner);
    const staleFailure = await app.publish(Topics.TranscodingCompleted, videoId, {
      ...succeededCompletion(videoId, requestId, { attemptId: requestId, attempt: 1, posterKey: null }),
      status: 'failed',
      error: 'killed',
      retryable: true,
    });
    await app.waitUntilConsumed(staleFailure.id);
    expect(await app.videoState(videoId, owner)).toEqual(ready);
    expect(attemptsOnKafka(videoId).map((a) => a.attempt)).toEqual([1, 2]);
  });

  it('a run that died (a retryable failed completion) is attempted again at once, up to the limit; then the video is failed with the reason', async () => {
    const { videoId, requestId } = await queuedVideo(clip);
    const died = (attemptId: string, attempt: number) =>
      app.publish(Topics.TranscodingCompleted, videoId, {
        ...succeededCompletion(videoId, requestId, {
          attemptId: attemptId,
          attempt: attempt,
          posterKey: null,
        }),
        status: 'failed',
        renditions: [],
        masterPlaylistKey: null,
        error: 'Job tj-x failed: BackoffLimitExceeded',
        retryable: true,
      });

    const ids = [requestId];
    for (const n of [1, 2]) {
      const event = await died(ids[n - 1]!, n);
      await app.waitUntilConsumed(event.id);
      ids.push(await attemptIssued(videoId, n + 1));
    }
    expect(new Set(ids).size).toBe(3);
    const last = await died(ids[2]!, 3);
    await app.waitUntilConsumed(last.id);

    const reason = 'transcoding failed after 3 attempts: Job tj-x failed: BackoffLimitExceeded';
    expect(await app.videoState(videoId, owner)).toMatchObject({
      status: 'failed',
      requestId,
      error: reason,
    });
    expect(await row(videoId)).toMatchObject({ attempt: 3, lease_expires_at: null });
    // The outcome is published once, as a final (not retryable) failure of the last attempt.
    await waitFor(
      async () =>
        expect(completions.filter((c) => c.videoId === videoId && c.retryable !== true)).toEqual([
          expect.objectContaining({
            requestId,
            attemptId: ids[2],
            attempt: 3,
            status: 'failed',
            error: reason,
            retryable: false,
          }),
        ]),
      { timeoutMs: 30_000 },
    );
    expect(attemptsOnKafka(videoId)).toHaveLength(3);
  });
});
