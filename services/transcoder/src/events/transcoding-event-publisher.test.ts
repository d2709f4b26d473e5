import { InProcessEventBus, parseEvent, Topics, type EventBus } from '@moocflix/platform-bus';
import { createLogger } from '@moocflix/platform-core/log';
import type { TranscodingCompletion } from '../domain/handle-transcoding-request';
import type { TranscodingRequest } from '../domain/transcode-video';
import { TranscodingEventPublisher } from './transcoding-event-publisher';

const logger = createLogger('test', 'silent');
const request: TranscodingRequest = {
  requestId: 'req-1',
  videoId: 'video-1',
  courseId: 'course-1',
  requestedBy: 'user-1',
  sourceKey: 'uploads/video-1',
  outputPrefix: 'videos/video-1/hls',
  sourceFormat: 'mov',
  requestedAt: new Date().toISOString(),
};
const completion: TranscodingCompletion = {
  requestId: 'req-1',
  videoId: 'video-1',
  status: 'failed',
  renditions: [],
  masterPlaylistKey: null,
  posterKey: null,
  durationSeconds: null,
  error: 'not-media: nope',
  completedAt: new Date().toISOString(),
};

/** Everything published to `topic` on the (real, in-process) bus so far. */
async function published(
  bus: EventBus,
  topic: typeof Topics.TranscodingProgress | typeof Topics.TranscodingCompleted,
) {
  const seen: { key: string | null; data: unknown }[] = [];
  const sub = await bus.subscribe({
    groupId: `probe-${Math.random()}`,
    topics: [topic],
    handler: async (m) => {
      seen.push({ key: m.key, data: parseEvent(topic, m.value).data });
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await sub.close();
  return seen;
}

describe('TranscodingEventPublisher', () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('publishes progress only every 5 points or 2 s, keyed by video', async () => {
    const bus = new InProcessEventBus({ logger });
    let clock = 0;
    const publisher = new TranscodingEventPublisher({
      bus,
      source: 'transcoder',
      logger,
      publishAttempts: 1,
      now: () => clock,
    });
    const progress = publisher.progressOf(request);
    for (const percent of [1, 2, 5.5, 6, 7, 9, 11]) {
      progress.report(percent);
      await settle();
    }
    clock = 2_500;
    progress.report(12);
    await settle();
    progress.report(12.5);
    await progress.close();
    progress.report(50);

    const seen = await published(bus, Topics.TranscodingProgress);
    expect(seen.map((e) => (e.data as { progress: number }).progress)).toEqual([5, 11, 12]);
    expect(seen.every((e) => e.key === 'video-1')).toBe(true);
  });

  it('keeps only the newest tick while a publish is out', async () => {
    const bus = new InProcessEventBus({ logger });
    const publisher = new TranscodingEventPublisher({
      bus,
      source: 'transcoder',
      logger,
      publishAttempts: 1,
    });
    const progress = publisher.progressOf(request);
    for (const percent of [10, 20, 30, 40]) progress.report(percent);
    await progress.close();

    const seen = await published(bus, Topics.TranscodingProgress);
    expect(seen.map((e) => (e.data as { progress: number }).progress)).toEqual([10, 40]);
  });

  it('beats: a tick when the request is taken up, then the last percentage again while nothing else went out', async () => {
    const bus = new InProcessEventBus({ logger });
    const publisher = new TranscodingEventPublisher({
      bus,
      source: 'transcoder',
      logger,
      publishAttempts: 1,
      heartbeatMs: 40,
    });
    const progress = publisher.progressOf({ ...request, attemptId: 'attempt-2', attempt: 2 });
    await settle();
    progress.report(7);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await progress.close();
    const ticks = (await published(bus, Topics.TranscodingProgress)).map(
      (e) => e.data as { progress: number; requestId: string; attemptId: string; attempt: number },
    );
    // 0 at once, 7 reported, then 7 repeated by the heartbeat (at least twice in 150 ms)…
    expect(ticks.slice(0, 2).map((t) => t.progress)).toEqual([0, 7]);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.slice(2).every((t) => t.progress === 7)).toBe(true);
    // …each naming the attempt it belongs to.
    expect(
      ticks.every((t) => t.requestId === 'req-1' && t.attemptId === 'attempt-2' && t.attempt === 2),
    ).toBe(true);
    // Closed: no more beats.
    const count = ticks.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await published(bus, Topics.TranscodingProgress)).toHaveLength(count);
  });

  it('retries the completion until the bus takes it', async () => {
    const bus = new InProcessEventBus({ logger });
    let failures = 2;
    const flaky: EventBus = Object.assign(Object.create(bus) as EventBus, {
      publish: async (messages: Parameters<EventBus['publish']>[0]) => {
        if (failures-- > 0) throw new Error('broker unavailable');
        await bus.publish(messages);
      },
    });
    const publisher = new TranscodingEventPublisher({
      bus: flaky,
      source: 'transcoder',
      logger,
      publishAttempts: 3,
      retryDelayMs: 1,
    });
    await publisher.completed(completion);
    const seen = await published(bus, Topics.TranscodingCompleted);
    expect(seen).toEqual([{ key: 'video-1', data: completion }]);
  });

  it('gives up after the configured attempts, so the request is redone', async () => {
    const bus = new InProcessEventBus({ logger });
    const down: EventBus = Object.assign(Object.create(bus) as EventBus, {
      publish: async () => {
        throw new Error('broker unavailable');
      },
    });
    const publisher = new TranscodingEventPublisher({
      bus: down,
      source: 'transcoder',
      logger,
      publishAttempts: 2,
      retryDelayMs: 1,
    });
    await expect(publisher.completed(completion)).rejects.toThrow('broker unavailable');
  });
});
