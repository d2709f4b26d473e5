import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, InProcessEventBus, parseEvent, Topics } from '@moocflix/platform-bus';
import { createLogger } from '@moocflix/platform-core/log';
import { LocalDiskObjectStorage } from '@moocflix/platform-storage';
import { startTestService, type TestService } from '@moocflix/platform-testing';
import { createTestDatabase, waitFor } from '../../../e2e/stack/control';
import { createTranscoderService } from '../src/service';
import { fetchHlsPackage } from './support/hls';
import { generateClip } from './support/media';
import type { TranscodingRequest } from './support/kafka';

// `make dev`'s adapters: the in-process bus and local-disk storage, whose sources ffmpeg reads in place.
let dir: string;
let storage: LocalDiskObjectStorage;
let bus: InProcessEventBus;
let service: TestService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transcoder-dev-mode-test-'));
  storage = new LocalDiskObjectStorage({ rootDir: join(dir, 'storage') });
  await storage.ensureBucket();
  bus = new InProcessEventBus({ logger: createLogger('transcoder-dev-mode-test', 'silent') });
  service = await startTestService({
    name: 'transcoder',
    create: createTranscoderService,
    databaseUrl: await createTestDatabase('transcoder_dev'),
    bus,
    storage,
    env: { TRANSCODER_WORK_DIR: join(dir, 'work'), TRANSCODER_X264_PRESET: 'ultrafast' },
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

it('transcodes a request from the in-process bus, reading the source in place from local disk', async () => {
  const clip = await generateClip(join(dir, 'clip.mp4'), { width: 640, height: 360, seconds: 4 });
  const videoId = randomUUID();
  await storage.put(`uploads/${videoId}`, createReadStream(clip));
  const request: TranscodingRequest = {
    requestId: randomUUID(),
    videoId,
    courseId: randomUUID(),
    requestedBy: randomUUID(),
    sourceKey: `uploads/${videoId}`,
    outputPrefix: `videos/${videoId}/hls`,
    sourceFormat: 'mov',
    requestedAt: new Date().toISOString(),
  };
  const completions: unknown[] = [];
  const recording = await bus.subscribe({
    groupId: 'dev-mode-test-recorder',
    topics: [Topics.TranscodingCompleted],
    handler: async (m) => {
      completions.push(parseEvent(Topics.TranscodingCompleted, m.value).data);
    },
  });
  const event = createEvent(Topics.TranscodingRequest, {
    source: 'content',
    subject: videoId,
    data: request,
  });
  await bus.publish([{ topic: Topics.TranscodingRequest, key: videoId, value: JSON.stringify(event) }]);

  const [completion] = await waitFor(() => (completions.length ? completions : false), { timeoutMs: 60_000 });
  await recording.close();
  expect(completion).toMatchObject({
    status: 'succeeded',
    renditions: [expect.objectContaining({ name: '360p', width: 640, height: 360 })],
  });
  const variants = await fetchHlsPackage(storage, `videos/${videoId}/hls/master.m3u8`);
  expect(variants.map((v) => v.segmentKeys.length)).toEqual([2]);
  // The run's work folder is gone.
  expect(await readdir(join(dir, 'work'))).toEqual([]);
}, 90_000);
