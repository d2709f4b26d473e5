import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../e2e/stack/control';
import { promisify } from 'node:util';
import { Topics } from '@moocflix/platform-bus';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import type { ObjectStorage } from '@moocflix/platform-storage';
import { fetchHlsAudio, fetchHlsPackage, readObject, type FetchedVariant } from './support/hls';
import { testBus, TranscodingEventsRecorder, type TranscodingRequest } from './support/kafka';
import { generateClip } from './support/media';
import { startTranscoderProcess } from './support/transcoder-process';
import { storageFromEnv, storedRequest, testPrefix } from './support/transcoder-under-test';

// A distributed transcode as an Indexed Job runs it: one process per part (some side by side, one
// retried), then the stitch — each its own `one-shot` process with an exit code, on the real stack.
jest.setTimeout(240_000);
const run = promisify(execFile);
const SECONDS = 10;
const FPS = 25; // generateClip's rate
// 10 s in chunks of 4 s: the preview (part 0), chunks at 0, 4 and 8 s (parts 1 to 3), the audio (4).
const CHUNKING = { TRANSCODER_CHUNK_THRESHOLD_SECONDS: '4', TRANSCODER_CHUNK_SECONDS: '4' };

const bus = testBus('transcoder-one-shot-parts-test');
const recorder = new TranscodingEventsRecorder(bus);
let storage: ObjectStorage;
let dir: string;
const prefix = testPrefix();
const clips: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transcoder-parts-test-'));
  clips.lecture = await generateClip(join(dir, 'lecture.mp4'), { width: 640, height: 360, seconds: SECONDS });
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

const requestFor = (clip: string, sourceDurationSeconds: number | null): Promise<TranscodingRequest> =>
  storedRequest(storage, prefix, clip, { sourceDurationSeconds });

async function oneShot(request: TranscodingRequest, args: string[], env: Record<string, string> = {}) {
  const proc = startTranscoderProcess(['one-shot', '--request', JSON.stringify(request), ...args], {
    ...CHUNKING,
    TRANSCODER_WORK_DIR: join(dir, `work-${randomUUID()}`),
    ...env,
  });
  const { code } = await proc.exited;
  return { code, output: proc.output() };
}

async function frameCount(variant: FetchedVariant): Promise<number> {
  const parts = [await readObject(storage, variant.initKey)];
  for (const key of variant.segmentKeys) parts.push(await readObject(storage, key));
  const path = join(dir, `${randomUUID()}.mp4`);
  await writeFile(path, Buffer.concat(parts));
  const { ffprobe } = resolveFfmpegBinaries();
  // prettier-ignore
  const { stdout } = await run(ffprobe, [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path,
  ]);
  return Number(stdout.trim());
}

describe('transcoder one-shot, in parts', () => {
  it('encodes each part in its own process, retries one alone, and the stitch publishes a stream with every frame', async () => {
    const request = await requestFor(clips.lecture!, SECONDS);

    // The stitch before the parts: nothing to join yet, so "redo later" (3), nothing published.
    const early = await oneShot(request, ['--stitch']);
    expect({ code: early.code, missing: /parts not \(yet\) uploaded/.test(early.output) }).toEqual({
      code: 3,
      missing: true,
    });

    // The preview first: playable once it is done, announced on the progress ticks.
    expect((await oneShot(request, ['--part', '0'])).code).toBe(0);
    const preview = await waitFor(
      () => recorder.progressEventsOf(request.requestId).find((tick) => tick.preview)?.preview ?? false,
      { timeoutMs: 15_000 },
    );
    expect(preview.masterPlaylistKey).toBe(`${request.outputPrefix}/preview.m3u8`);
    const [previewVariant] = await fetchHlsPackage(storage, preview.masterPlaylistKey);
    expect(await frameCount(previewVariant!)).toBe(SECONDS * FPS);
    expect((await readObject(storage, previewVariant!.playlistKey)).toString()).toContain('#EXT-X-ENDLIST');

    // Then the rest two at a time (an Indexed Job with parallelism 2); one takes its index from the Job.
    const first = await Promise.all([
      oneShot(request, ['--part', '1']),
      oneShot(request, ['--part', 'job-index'], { JOB_COMPLETION_INDEX: '2' }),
    ]);
    const second = await Promise.all([oneShot(request, ['--part', '3']), oneShot(request, ['--part', '4'])]);
    expect([...first, ...second].map((r) => (r.code === 0 ? 0 : r.output))).toEqual([0, 0, 0, 0]);
    // A retried index overwrites its own outputs and changes nothing else.
    expect((await oneShot(request, ['--part', '2'])).code).toBe(0);
    await sleep(500);
    expect(recorder.completionsOf(request.requestId)).toEqual([]);
    expect((await storage.list(`${request.outputPrefix}/parts/`)).map((o) => o.key)).toEqual(
      expect.arrayContaining(
        ['chunk-0000.json', 'chunk-0001.json', 'chunk-0002.json', 'audio.json'].map(
          (k) => `${request.outputPrefix}/parts/${k}`,
        ),
      ),
    );

    const stitch = await oneShot(request, ['--stitch']);
    expect({ code: stitch.code, output: stitch.code === 0 ? '' : stitch.output }).toEqual({
      code: 0,
      output: '',
    });
    const completion = await recorder.completion(request.requestId, 15_000);
    expect(completion).toMatchObject({
      status: 'succeeded',
      masterPlaylistKey: `${request.outputPrefix}/master.m3u8`,
    });
    expect(completion.posterKey).toBe(`${request.outputPrefix}/poster.jpg`);

    const [variant, ...others] = await fetchHlsPackage(storage, completion.masterPlaylistKey!);
    expect(others).toHaveLength(0);
    expect(variant!.segmentKeys).toHaveLength(SECONDS / 2);
    expect(await frameCount(variant!)).toBe(SECONDS * FPS);
    expect(await fetchHlsAudio(storage, completion.masterPlaylistKey!)).toHaveLength(1);
    // The parts are gone once the package is whole.
    expect(await storage.list(`${request.outputPrefix}/parts/`)).toEqual([]);
  });

  it('refuses a part outside the plan and a request that is not split (exit 2, nothing published)', async () => {
    const request = await requestFor(clips.lecture!, SECONDS);
    const beyond = await oneShot(request, ['--part', '5']);
    expect(beyond.code).toBe(2);
    expect(beyond.output).toMatch(/part 5 does not exist: the request has parts 0 to 4/);

    const unsplit = await requestFor(clips.lecture!, null);
    const part = await oneShot(unsplit, ['--part', '0']);
    expect(part.code).toBe(2);
    expect(part.output).toMatch(/is not split into parts/);

    expect((await oneShot(request, ['--part', 'job-index'])).code).toBe(2); // no JOB_COMPLETION_INDEX
    expect((await oneShot(request, ['--part', '1', '--stitch'])).code).toBe(2);
    await sleep(500);
    expect(recorder.completionsOf(request.requestId)).toEqual([]);
    expect(recorder.completionsOf(unsplit.requestId)).toEqual([]);
  });

  it('a part whose input is not a video publishes the failed completion and exits 1', async () => {
    const request = await requestFor(clips.notes!, SECONDS);
    const part = await oneShot(request, ['--part', '2']);
    expect(part.code).toBe(1);
    const completion = await recorder.completion(request.requestId, 15_000);
    expect(completion).toMatchObject({ status: 'failed', error: expect.stringMatching(/^not-media: /) });
    expect(await storage.list(`${request.outputPrefix}/`)).toEqual([]);
  });
});
