import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../e2e/stack/control';
import { parseEvent, Topics, type EventData, type Subscription } from '@moocflix/platform-bus';
import { outputPrefixOf } from '../src/domain/video-keys';
import { ContentUnderTest, type User } from './support/content-under-test';
import { generateClip } from './support/media';

// No transcoder at all: nobody picks the request up. Each attempt's lease runs out in the queue,
// the request is attempted again up to the limit, then the video is failed with a reason the API
// returns, and that outcome is published once. (A file of its own: the queue timeout is short here,
// which a test waiting for a worker to restart could not afford.)
jest.setTimeout(120_000);

const QUEUE_TIMEOUT_MS = 1_500;

let app: ContentUnderTest;
let dir: string;
let owner: User;
let completionsRecorder: Subscription;
const completions: EventData<typeof Topics.TranscodingCompleted>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-unpicked-test-'));
  app = await ContentUnderTest.start('unpicked', {
    TRANSCODE_LEASE_MS: '1500',
    TRANSCODE_QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
    TRANSCODE_MAX_ATTEMPTS: '3',
    TRANSCODE_LEASE_SWEEP_INTERVAL_MS: '200',
  });
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
  await completionsRecorder?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('attempts a request nobody picks up up to the limit, then fails the video with the reason', async () => {
  const courseId = await app.knownCourse(owner);
  const clip = await generateClip(join(dir, 'lecture.mp4'), { width: 320, height: 240, seconds: 2 });
  const upload = await app.upload(owner, courseId, clip);
  expect(upload.status).toBe(201);
  const videoId: string = upload.body.videoId;
  const requested = await app.request('POST', `/${videoId}/transcode`, owner);
  expect(requested.status).toBe(202);
  const { requestId } = requested.body;
  const startedAt = Date.now();

  const reason = 'no transcoder picked the request up in 3 attempts';
  await waitFor(
    async () => {
      const { body } = await app.request('GET', `/${videoId}`, owner);
      expect(body).toMatchObject({ status: 'failed', requestId, error: reason });
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  // Three leases ran out, one after the other.
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(3 * QUEUE_TIMEOUT_MS - 500);

  // Three attempts of the same request, each with its own id and folder, and no fourth.
  const attempts = () => app.requestsFor(videoId).map(({ data }) => data);
  await waitFor(() => expect(attempts()).toHaveLength(3), { timeoutMs: 30_000 });
  expect(attempts().map((a) => [a.requestId, a.attempt])).toEqual([
    [requestId, 1],
    [requestId, 2],
    [requestId, 3],
  ]);
  const ids = attempts().map((a) => a.attemptId);
  expect(ids[0]).toBe(requestId);
  expect(new Set(ids).size).toBe(3);
  expect(attempts().map((a) => a.outputPrefix)).toEqual(ids.map((id) => outputPrefixOf(videoId, id!)));
  expect(await app.videoRow(videoId)).toMatchObject({
    attempt: 3,
    attempt_id: ids[2],
    lease_expires_at: null,
  });

  // The outcome, published once for whoever tells the uploader.
  await waitFor(
    () =>
      expect(completions.filter((c) => c.videoId === videoId)).toEqual([
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

  // Failed for good: nothing more happens on its own…
  const failed = await app.videoState(videoId, owner);
  await sleep(2 * QUEUE_TIMEOUT_MS);
  expect(await app.videoState(videoId, owner)).toEqual(failed);
  expect(attempts()).toHaveLength(3);

  // …and the owner may ask again: a new request, attempt 1.
  const again = await app.request('POST', `/${videoId}/transcode`, owner);
  expect(again.status).toBe(202);
  expect(again.body.requestId).not.toBe(requestId);
  expect(await app.videoRow(videoId)).toMatchObject({
    status: 'queued',
    request_id: again.body.requestId,
    attempt_id: again.body.requestId,
    attempt: 1,
    error: null,
  });
});
