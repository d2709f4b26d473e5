import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../e2e/stack/control';
import { parseEvent, Topics, type EventData, type Subscription } from '@moocflix/platform-bus';
import { ContentUnderTest, type User } from './support/content-under-test';
import { playEveryVariant } from './support/hls-player';
import { generateClip } from './support/media';
import {
  startTranscoderProcess,
  startTranscoderWorker,
  type TranscoderProcess,
} from './support/transcoder-worker';
import { positionGroupAtEnd } from '@moocflix/platform-testing';

// The transcoder worker is SIGKILLed in the middle of ffmpeg: its request was never acknowledged, the
// next worker of the group redoes it after Kafka notices the dead member (its session timeout), and
// the video ends `ready` — once.
jest.setTimeout(300_000);

let app: ContentUnderTest;
let dir: string;
let owner: User;
let killed: TranscoderProcess | undefined;
let successor: { close(): Promise<void> } | undefined;
let completionsRecorder: Subscription;
const completions: EventData<typeof Topics.TranscodingCompleted>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-killed-test-'));
  app = await ContentUnderTest.start('killed');
  owner = await app.user('instructor');
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

it('ends ready exactly once when the transcoder is killed mid-run and the request is redone', async () => {
  const courseId = await app.knownCourse(owner);
  const clip = await generateClip(join(dir, 'lecture.mp4'), { width: 960, height: 540, seconds: 8 });
  const upload = await app.upload(owner, courseId, clip);
  expect(upload.status).toBe(201);
  const videoId: string = upload.body.videoId;

  const groupId = `content-test-killed-${randomUUID()}`;
  await positionGroupAtEnd(process.env.KAFKA_BROKERS!.split(','), groupId, Topics.TranscodingRequest);
  // A slow preset, so the kill lands while ffmpeg is encoding.
  killed = startTranscoderProcess(app.bucket, groupId, { TRANSCODER_X264_PRESET: 'medium' });
  const { requestId } = (await app.request('POST', `/${videoId}/transcode`, owner)).body;

  // The content service has consumed a progress tick: ffmpeg is running. Then the worker dies.
  await waitFor(
    async () => expect((await app.request('GET', `/${videoId}`, owner)).body.status).toBe('transcoding'),
    {
      timeoutMs: 120_000,
      intervalMs: 200,
    },
  );
  killed.child.kill('SIGKILL');
  await killed.exited;
  expect(completions.filter((c) => c.requestId === requestId)).toEqual([]);
  expect((await app.request('GET', `/${videoId}`, owner)).body).toMatchObject({
    status: 'transcoding',
    requestId,
  });

  // Another worker of the same group picks the unacknowledged request up.
  successor = await startTranscoderWorker(app.storage, groupId);
  await waitFor(
    async () => {
      const { body } = await app.request('GET', `/${videoId}`, owner);
      if (body.status === 'failed') throw new Error(`transcoding failed: ${body.error}`);
      expect(body.status).toBe('ready');
    },
    { timeoutMs: 180_000, intervalMs: 500 },
  );
  const ready = await app.videoState(videoId, owner);
  expect(ready).toMatchObject({ status: 'ready', progress: 100, requestId, error: null });
  expect((ready.renditions as { name: string }[]).map((r) => r.name)).toEqual(['360p', '540p']);

  // Once: one completion for the request, and nothing changes afterwards.
  await sleep(2_000);
  expect(completions.filter((c) => c.requestId === requestId).map((c) => c.status)).toEqual(['succeeded']);
  expect(await app.videoState(videoId, owner)).toEqual(ready);

  // And it plays.
  const stream = await app.request('GET', `/${videoId}/stream`, owner);
  expect(stream.status).toBe(200);
  const variants = await playEveryVariant(app, stream.body, dir);
  expect(variants).toHaveLength(2);
});
