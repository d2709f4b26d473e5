import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Topics } from '@moocflix/platform-bus';
import type { ObjectStorage } from '@moocflix/platform-storage';
import { waitFor } from '../../../e2e/stack/control';
import { testBus, TranscodingEventsRecorder, type TranscodingRequest } from './support/kafka';
import { ffmpegProcessesMentioning, generateClip } from './support/media';
import { startTranscoderProcess } from './support/transcoder-process';
import { storageFromEnv, storedRequest, testPrefix } from './support/transcoder-under-test';

// One-shot mode as a Kubernetes Job runs it: its own process, one request, an exit code.
const bus = testBus('transcoder-one-shot-test');
const recorder = new TranscodingEventsRecorder(bus);
let storage: ObjectStorage;
let dir: string;
const prefix = testPrefix();
const clips: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transcoder-one-shot-test-'));
  clips.small = await generateClip(join(dir, 'small.mp4'), { width: 320, height: 240, seconds: 4 });
  // Long enough that a 1 s time limit or a SIGTERM always lands mid-run.
  clips.long = await generateClip(join(dir, 'long.mp4'), { width: 640, height: 360, seconds: 20 });
  clips.notes = join(dir, 'notes.mp4');
  await writeFile(clips.notes, 'not a video\n');
  storage = storageFromEnv();
  await storage.ensureBucket();
  await bus.ensureTopics([Topics.TranscodingCompleted, Topics.TranscodingProgress]);
  await recorder.start();
}, 120_000);

afterAll(async () => {
  await recorder.stop();
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

const requestFor = (clip: string): Promise<TranscodingRequest> => storedRequest(storage, prefix, clip);

const workDirOf = (name: string): string => join(dir, `work-${name}-${randomUUID()}`);

describe('transcoder one-shot', () => {
  it('exits 0 after a succeeded transcode and its published completion', async () => {
    const request = await requestFor(clips.small!);
    const run = startTranscoderProcess(['one-shot', '--request', JSON.stringify(request)], {});
    const { code } = await run.exited;
    expect({ code, output: code === 0 ? '' : run.output() }).toEqual({ code: 0, output: '' });

    const completion = await recorder.completion(request.requestId, 15_000);
    expect(completion).toMatchObject({
      status: 'succeeded',
      videoId: request.videoId,
      masterPlaylistKey: `${request.outputPrefix}/master.m3u8`,
    });
    expect(await storage.head(completion.masterPlaylistKey!)).not.toBeNull();
  }, 90_000);

  it('reads the request from TRANSCODE_REQUEST too, and exits 1 when the input is not a video', async () => {
    const request = await requestFor(clips.notes!);
    const run = startTranscoderProcess(['one-shot'], { TRANSCODE_REQUEST: JSON.stringify(request) });
    expect((await run.exited).code).toBe(1);
    const completion = await recorder.completion(request.requestId, 15_000);
    expect(completion).toMatchObject({ status: 'failed', error: expect.stringMatching(/^not-media: /) });
  }, 90_000);

  it('exits 2 on a request that is not a Transcoding-Request, publishing nothing', async () => {
    const requestId = randomUUID();
    const run = startTranscoderProcess(
      ['one-shot', '--request', JSON.stringify({ requestId, videoId: 'v' })],
      {},
    );
    expect((await run.exited).code).toBe(2);
    expect(run.output()).toMatch(/not a valid Transcoding-Request/);
    await sleep(1_000);
    expect(recorder.completionsOf(requestId)).toEqual([]);
  }, 60_000);

  it('fails at the time limit, kills ffmpeg and leaves no temp files', async () => {
    const workDir = workDirOf('time-limit');
    const request = await requestFor(clips.long!);
    const run = startTranscoderProcess(['one-shot', '--request', JSON.stringify(request)], {
      TRANSCODER_WORK_DIR: workDir,
      TRANSCODER_TIME_LIMIT_SECONDS: '1',
      TRANSCODER_X264_PRESET: 'medium',
    });
    expect((await run.exited).code).toBe(1);
    const completion = await recorder.completion(request.requestId, 15_000);
    expect(completion).toMatchObject({ status: 'failed', error: expect.stringMatching(/^time-limit: /) });
    expect(await readdir(workDir)).toEqual([]);
    expect(await ffmpegProcessesMentioning(workDir)).toEqual([]);
    expect(await storage.list(request.outputPrefix)).toEqual([]);
  }, 90_000);

  it('on SIGTERM stops ffmpeg, removes its temp files, publishes nothing and exits 3 so the Job redoes it', async () => {
    const workDir = workDirOf('sigterm');
    const request = await requestFor(clips.long!);
    const run = startTranscoderProcess(['one-shot', '--request', JSON.stringify(request)], {
      TRANSCODER_WORK_DIR: workDir,
      TRANSCODER_X264_PRESET: 'medium',
    });
    // Mid-run: the first progress tick goes out when the request is taken up, before the source is
    // downloaded and probed, so wait for ffmpeg itself to be running, not just for the tick.
    await waitFor(() => recorder.progressOf(request.requestId).length > 0, { timeoutMs: 60_000 });
    await waitFor(async () => expect(await ffmpegProcessesMentioning(workDir)).toHaveLength(1), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(3);
    expect(await readdir(workDir)).toEqual([]);
    expect(await ffmpegProcessesMentioning(workDir)).toEqual([]);
    await sleep(1_000);
    expect(recorder.completionsOf(request.requestId)).toEqual([]);
  }, 90_000);
});
