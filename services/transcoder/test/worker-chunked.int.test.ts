import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import { fetchHlsAudio, fetchHlsPackage, readObject, type FetchedVariant } from './support/hls';
import { generateClip } from './support/media';
import { startTranscoder, type TranscoderUnderTest } from './support/transcoder-under-test';

// The worker with a chunk threshold below the clip's length: the request is encoded in chunks,
// stitched, packaged and published like any other, and the stream has every frame of the source.
jest.setTimeout(180_000);
const run = promisify(execFile);
const SECONDS = 10;
const FPS = 25; // generateClip's rate

let transcoder: TranscoderUnderTest;
let dir: string;
let clip: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transcoder-worker-chunked-test-'));
  clip = await generateClip(join(dir, 'lecture.mp4'), { width: 640, height: 360, seconds: SECONDS });
  transcoder = await startTranscoder({
    TRANSCODER_WORK_DIR: join(dir, 'work'),
    TRANSCODER_CHUNK_THRESHOLD_SECONDS: '4',
    TRANSCODER_CHUNK_SECONDS: '4',
    TRANSCODER_PREVIEW_MIN_SECONDS: '5',
  });
}, 120_000);

afterAll(async () => {
  await transcoder?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A whole rendition (its init, then every segment) as one local fragmented MP4 file. */
async function downloadRendition(variant: FetchedVariant, name: string): Promise<string> {
  const parts = [await readObject(transcoder.storage, variant.initKey)];
  for (const key of variant.segmentKeys) parts.push(await readObject(transcoder.storage, key));
  const path = join(dir, `${name}.mp4`);
  await writeFile(path, Buffer.concat(parts));
  return path;
}

/** ffprobe's one value of `entry` for the first stream of a kind, decoding every frame (-count_frames). */
async function probeStream(path: string, stream: 'v:0' | 'a:0', entry: string): Promise<number> {
  const { ffprobe } = resolveFfmpegBinaries();
  // prettier-ignore
  const { stdout } = await run(ffprobe, [
    '-v', 'error', '-count_frames', '-select_streams', stream, '-show_entries', `stream=${entry}`, '-of', 'csv=p=0', path,
  ]);
  return Number(stdout.trim());
}

describe('transcoder worker, chunked', () => {
  it('publishes a playable preview first, then encodes in chunks and publishes a stream with every frame', async () => {
    const request = await transcoder.request(clip);
    const completion = await transcoder.recorder.completion(request.requestId, 150_000);
    expect(completion).toMatchObject({ status: 'succeeded', error: null });
    expect(completion.durationSeconds).toBeCloseTo(SECONDS, 0);

    const [variant, ...others] = await fetchHlsPackage(transcoder.storage, completion.masterPlaylistKey!);
    expect(others).toEqual([]);
    // The stitch writes one init.mp4 per rendition; a single ffmpeg pass names it init_<n>.mp4.
    expect(variant!.initKey).toMatch(/\/init\.mp4$/);
    // 2 s segments across 3 chunks (4 s, 4 s, 2 s): cut where a single pass cuts.
    expect(variant!.segmentKeys).toHaveLength(SECONDS / 2);
    expect(await probeStream(await downloadRendition(variant!, 'video'), 'v:0', 'nb_read_frames')).toBe(
      SECONDS * FPS,
    );

    const [audio] = await fetchHlsAudio(transcoder.storage, completion.masterPlaylistKey!);
    // The audio, encoded once over the whole source, as long as the clip.
    expect(await probeStream(await downloadRendition(audio!, 'audio'), 'a:0', 'duration')).toBeCloseTo(
      SECONDS,
      0,
    );
    const poster = await readObject(transcoder.storage, completion.posterKey!);
    expect(poster.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8])); // JPEG SOI, from the first chunk

    const ticks = transcoder.recorder.progressOf(request.requestId);
    expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);

    // Playable before it was ready: the preview went out on the ticks, and plays every frame.
    const previews = transcoder.recorder.progressEventsOf(request.requestId).flatMap((t) => t.preview ?? []);
    expect(previews.length).toBeGreaterThan(0);
    expect(previews[0]!.masterPlaylistKey).toBe(`${request.outputPrefix}/preview.m3u8`);
    expect(previews[0]!.renditions).toEqual([
      expect.objectContaining({
        name: '360p',
        width: 640,
        height: 360,
        playlistKey: `${request.outputPrefix}/preview/index.m3u8`,
      }),
    ]);
    const [preview] = await fetchHlsPackage(transcoder.storage, previews[0]!.masterPlaylistKey);
    expect(await probeStream(await downloadRendition(preview!, 'preview'), 'v:0', 'nb_read_frames')).toBe(
      SECONDS * FPS,
    );
  });
});
