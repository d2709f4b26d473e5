import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Topics } from '@moocflix/platform-bus';
import { waitFor } from '../../../e2e/stack/control';
import { positionGroupAtEnd } from '@moocflix/platform-testing';
import { kafkaBrokers, publishRequest, testBus, TranscodingEventsRecorder } from './support/kafka';
import { ffmpegProcessesMentioning, generateClip } from './support/media';
import { startTranscoderProcess, type TranscoderProcess } from './support/transcoder-process';
import { storageFromEnv, testPrefix } from './support/transcoder-under-test';

// A worker killed with SIGKILL in the middle of ffmpeg: its ffmpeg dies with it, the request was
// never acknowledged, and the next worker of the group redoes it — one succeeded completion in all.
const bus = testBus('transcoder-killed-test');
const recorder = new TranscodingEventsRecorder(bus);
const groupId = `transcoder-killed-test-${randomUUID()}`;
let dir: string;
const workers: TranscoderProcess[] = [];

function startWorker(workDir: string): TranscoderProcess {
  const worker = startTranscoderProcess([], {
    PORT: '0',
    HOST: '127.0.0.1',
    TRANSCODER_CONSUMER_GROUP: groupId,
    TRANSCODER_WORK_DIR: workDir,
    // Slow enough that the kill lands mid-encode.
    TRANSCODER_X264_PRESET: 'medium',
  });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transcoder-killed-test-'));
  await bus.ensureTopics([
    Topics.TranscodingRequest,
    Topics.TranscodingCompleted,
    Topics.TranscodingProgress,
  ]);
  await positionGroupAtEnd(kafkaBrokers(), groupId, Topics.TranscodingRequest);
  await recorder.start();
}, 60_000);

afterAll(async () => {
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await recorder.stop();
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

it('redoes the request of a worker killed mid-transcode and completes it exactly once', async () => {
  const storage = storageFromEnv();
  await storage.ensureBucket();
  const prefix = testPrefix();
  const videoId = randomUUID();
  const clip = await generateClip(join(dir, 'clip.mp4'), { width: 960, height: 540, seconds: 8 });
  const sourceKey = `${prefix}/uploads/${videoId}`;
  await storage.put(sourceKey, createReadStream(clip));

  const firstWorkDir = join(dir, 'work-first');
  const first = startWorker(firstWorkDir);
  const request = {
    requestId: randomUUID(),
    videoId,
    courseId: randomUUID(),
    requestedBy: randomUUID(),
    sourceKey,
    outputPrefix: `${prefix}/videos/${videoId}/hls`,
    sourceFormat: 'mov',
    requestedAt: new Date().toISOString(),
  };
  await publishRequest(bus, request);

  // The worker dies without warning while its ffmpeg encodes. Waiting for the process itself, not for a
  // progress event: by the time a progress event has crossed Kafka to the recorder on a loaded machine, an
  // 8 s clip may be encoded already (seen once: no ffmpeg left to kill).
  await waitFor(async () => (await ffmpegProcessesMentioning(firstWorkDir)).length === 1, {
    timeoutMs: 90_000,
    intervalMs: 50,
    description: `ffmpeg running: ${first.output()}`,
  });
  first.child.kill('SIGKILL');
  await first.exited;
  await waitFor(async () => expect(await ffmpegProcessesMentioning(firstWorkDir)).toEqual([]), {
    timeoutMs: 5_000,
  });
  expect(recorder.completionsOf(request.requestId)).toEqual([]);

  // The next worker gets the unacknowledged request once the group notices the first one is gone.
  const second = startWorker(join(dir, 'work-second'));
  const completion = await recorder.completion(request.requestId, 150_000);
  expect(completion).toMatchObject({ status: 'succeeded', videoId });
  expect(await storage.head(completion.masterPlaylistKey!)).not.toBeNull();

  // Exactly once: nothing else arrives for this request (the second worker committed its offset).
  second.child.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
  await sleep(2_000);
  expect(recorder.completionsOf(request.requestId)).toHaveLength(1);
}, 240_000);
