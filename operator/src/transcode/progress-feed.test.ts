import { createEvent, InProcessEventBus, Topics } from '@moocflix/platform-bus';
import { createLogger } from '@moocflix/platform-core/log';
import type { TranscodeJob } from '../api/v1alpha1';
import type { Informer, InformerHandler } from '../controller-runtime/informer';
import { transcodeJobName } from './names';
import { progressGroupId, TranscodeProgressFeed } from './progress-feed';

const logger = createLogger('test', 'silent');

test('ticks become at most one reconcile per 5 points, for the TranscodeJob of the attempt', async () => {
  const bus = new InProcessEventBus({ logger });
  // Attempt 1 of the request (created before attempts had ids of their own: its id is the request's)
  // and attempt 2, a TranscodeJob of its own.
  const tj = {
    metadata: { name: transcodeJobName('req-1'), namespace: 'media' },
    spec: { requestId: 'req-1' },
  } as TranscodeJob;
  const retry = {
    metadata: { name: transcodeJobName('attempt-2'), namespace: 'media' },
    spec: { requestId: 'req-1', attemptId: 'attempt-2', attempt: 2 },
  } as TranscodeJob;
  const handlers: InformerHandler<TranscodeJob>[] = [];
  const informer = {
    list: () => [tj, retry],
    on: (h: InformerHandler<TranscodeJob>) => handlers.push(h),
  } as unknown as Informer<TranscodeJob>;
  const reconciles: string[] = [];
  const feed = new TranscodeProgressFeed({
    bus,
    groupId: 'progress',
    transcodeJobInformer: informer,
    onProgress: (k) => reconciles.push(k),
    logger,
  });
  await feed.start();
  const tick = (requestId: string, progress: number, attempt?: { attemptId: string; attempt: number }) =>
    bus.publish([
      {
        topic: Topics.TranscodingProgress,
        key: 'video',
        value: JSON.stringify(
          createEvent(Topics.TranscodingProgress, {
            source: 't',
            subject: 'video',
            data: { requestId, ...attempt, videoId: 'video', progress, at: new Date().toISOString() },
          }),
        ),
      },
    ]);
  // Let the background subscription join.
  for (let i = 0; i < 50 && reconciles.length === 0; i++) {
    await tick('req-1', 1.5);
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const p of [2, 3, 6.9, 7, 12, 40, 41, 100]) await tick('req-1', p);
  await tick('someone-else', 50);
  // Attempt 2's ticks are attempt 2's, whatever attempt 1 reported; an attempt with no TranscodeJob is nobody's.
  await tick('req-1', 30, { attemptId: 'attempt-2', attempt: 2 });
  await tick('req-1', 60, { attemptId: 'attempt-3', attempt: 3 });
  expect(feed.isPlayable('media/' + retry.metadata.name)).toBe(false);
  await new Promise((r) => setTimeout(r, 100));
  await feed.stop();
  expect(feed.progressOf('media/' + tj.metadata.name)).toBe(100);
  expect(feed.progressOf('media/' + retry.metadata.name)).toBe(30);
  // 1 (the first), 6, 12, 40 and 100; not 2, 3, 7 or 41 (less than 5 points above the last one kept).
  expect(reconciles).toEqual([...Array(5).fill(`media/${tj.metadata.name}`), `media/${retry.metadata.name}`]);
  handlers.forEach((h) => h({ type: 'delete', object: tj }));
  expect(feed.progressOf(`media/${tj.metadata.name}`)).toBeUndefined();
});

test('every process gets a progress group of its own, named after its pod', () => {
  const a = progressGroupId('moocflix-operator-progress', 'moocflix-operator-7d9f-abcde');
  const b = progressGroupId('moocflix-operator-progress', 'moocflix-operator-7d9f-abcde');
  expect(a).toMatch(/^moocflix-operator-progress\.moocflix-operator-7d9f-abcde\.[0-9a-f]{8}$/);
  // A restarted container keeps its pod name; its group must still be new (no dead member to wait out).
  expect(a).not.toBe(b);
  // Characters Kafka refuses in a group id never come through from a host name.
  expect(progressGroupId('p', 'host name/with:odd*chars')).toMatch(
    /^p\.host_name_with_odd_chars\.[0-9a-f]{8}$/,
  );
});

test('a tick announcing the preview marks the TranscodeJob playable at once, whatever its percentage', async () => {
  const bus = new InProcessEventBus({ logger });
  const tj = {
    metadata: { name: transcodeJobName('req-9'), namespace: 'media' },
    spec: { requestId: 'req-9' },
  } as TranscodeJob;
  const informer = { list: () => [tj], on: () => undefined } as unknown as Informer<TranscodeJob>;
  const reconciles: string[] = [];
  const feed = new TranscodeProgressFeed({
    bus,
    groupId: 'p',
    transcodeJobInformer: informer,
    onProgress: (k) => reconciles.push(k),
    logger,
  });
  await feed.start();
  const preview = {
    masterPlaylistKey: 'v/preview.m3u8',
    renditions: [{ name: '360p', width: 640, height: 360, bandwidth: 1 }],
  };
  const tick = (progress: number, withPreview: boolean) =>
    bus.publish([
      {
        topic: Topics.TranscodingProgress,
        key: 'video',
        value: JSON.stringify(
          createEvent(Topics.TranscodingProgress, {
            source: 't',
            subject: 'video',
            data: {
              requestId: 'req-9',
              videoId: 'video',
              progress,
              ...(withPreview && { preview }),
              at: new Date().toISOString(),
            },
          }),
        ),
      },
    ]);
  for (let i = 0; i < 50 && reconciles.length === 0; i++) {
    await tick(10, false);
    await new Promise((r) => setTimeout(r, 20));
  }
  const before = reconciles.length;
  expect(feed.isPlayable('media/' + tj.metadata.name)).toBe(false);
  await tick(11, true); // 1 point up: no progress reconcile, but the preview is news
  await tick(12, true);
  await new Promise((r) => setTimeout(r, 50));
  await feed.stop();
  expect(feed.isPlayable('media/' + tj.metadata.name)).toBe(true);
  expect(reconciles.length).toBe(before + 1);
});
