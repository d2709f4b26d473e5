import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import { planChunks } from '@moocflix/platform-core/transcoding';
import { encodeChunked, leadInOf, type FfmpegRunner } from '../src/chunks/encode-chunked';
import { readSegmentIndex } from '../src/chunks/fmp4-decode-time';
import { StitchError, stitchRendition } from '../src/chunks/stitch-rendition';
import type { Rendition } from '../src/domain/rendition-ladder';
import { buildHlsLadderArgs, POSTER_FILE } from '../src/ffmpeg/hls-ladder-args';
import { runFfmpeg } from '../src/ffmpeg/run-ffmpeg';
import { readVariantPlaylist } from '../src/hls/variant-playlist';
import { generateClip } from './support/media';

// A chunked encode stitched back must be the single-pass encode's stream: every source frame, on an
// unbroken timeline, cut at the same instants. A null decode reports nothing on a broken stitch
// (it silently drops frames), so these checks COUNT frames and read every timestamp.
const run = promisify(execFile);
const binaries = resolveFfmpegBinaries();
const SOURCE_SECONDS = 14;
const FPS = 25; // generateClip's rate
const renditions: Rendition[] = [
  { name: '144p', width: 192, height: 144, videoBitrate: 200_000 },
  { name: '240p', width: 320, height: 240, videoBitrate: 400_000 },
];
let dir: string;
let source: string;

const runner: FfmpegRunner = (args, onProgress) =>
  runFfmpeg({
    binary: binaries.ffmpeg,
    args,
    timeLimitMs: 120_000,
    signal: new AbortController().signal,
    onProgress,
  });

/** Every decoded video frame's timestamp, in seconds, of a local playlist or file. */
async function frameTimes(path: string): Promise<number[]> {
  const { stdout } = await run(
    binaries.ffprobe,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=best_effort_timestamp_time',
      '-of',
      'csv=p=0',
      path,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .map((line) => line.replace(/,$/, '').trim())
    .filter(Boolean)
    .map(Number);
}

/**
 * Frames ffmpeg itself decodes and passes on. Its demuxer times segments by their `sidx`, and the
 * CLI drops frames whose time goes back: a stitch that moved only the `tfdt` lost 120 of 420 here
 * while ffprobe still counted them all.
 */
async function framesFfmpegDecodes(path: string): Promise<number> {
  // prettier-ignore
  const { stdout } = await run(binaries.ffmpeg, [
    '-nostdin', '-v', 'error', '-progress', 'pipe:1', '-i', path, '-map', '0:v:0', '-f', 'null', '-',
  ], { maxBuffer: 16 * 1024 * 1024 });
  return Number([...stdout.matchAll(/^frame=(\d+)$/gm)].at(-1)?.[1] ?? Number.NaN);
}

/** Per-frame PSNR (dB) of a rendition against the source scaled to its size. */
async function framePsnr(playlist: string, width: number, height: number): Promise<number[]> {
  const stats = join(dir, `psnr-${Math.random().toString(36).slice(2)}.log`);
  // prettier-ignore
  await run(binaries.ffmpeg, [
    '-nostdin', '-v', 'error', '-i', playlist, '-i', source,
    '-lavfi', `[0:v]setpts=PTS-STARTPTS[a];[1:v]scale=${width}:${height},setpts=PTS-STARTPTS[b];[a][b]psnr=stats_file=${stats}`,
    '-f', 'null', '-',
  ]);
  return (await readFile(stats, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => Number(/psnr_avg:([\d.]+|inf)/.exec(line)![1]!.replace('inf', '100')));
}

async function playlistOf(path: string) {
  const text = await readFile(path, 'utf8');
  return { text, ...readVariantPlaylist(text) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transcoder-chunked-test-'));
  source = await generateClip(join(dir, 'source.mp4'), { width: 320, height: 240, seconds: SOURCE_SECONDS });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('chunked transcoding, stitched', () => {
  const chunks = planChunks(SOURCE_SECONDS, { chunkSeconds: 6 });
  let chunked: string;
  let single: string;
  const progress: number[] = [];

  beforeAll(async () => {
    chunked = join(dir, 'chunked');
    single = join(dir, 'single');
    const job = {
      inputPath: source,
      demuxer: 'mov',
      renditions,
      hasAudio: true,
      posterAtSeconds: 1,
      x264Preset: 'veryfast',
    };
    await encodeChunked(
      { ...job, chunks, chunksDir: join(dir, 'chunks'), outputDir: chunked, sourceSeconds: SOURCE_SECONDS },
      runner,
      (share) => progress.push(share),
    );
    await runner(buildHlsLadderArgs({ ...job, outputDir: single }), () => undefined);
  }, 180_000);

  it('cut the source into three chunks on the segment grid', () => {
    expect(chunks.map((c) => [c.startSeconds, c.durationSeconds])).toEqual([
      [0, 6],
      [6, 6],
      [12, null],
    ]);
  });

  it.each([0, 1])('rendition %i has every source frame, on an unbroken timeline', async (i) => {
    const sourceFrames = await frameTimes(source);
    expect(sourceFrames).toHaveLength(SOURCE_SECONDS * FPS);
    const times = await frameTimes(join(chunked, `v${i}`, 'index.m3u8'));
    expect(times).toHaveLength(sourceFrames.length);
    // One frame interval between every two frames, across the joins at 6 s and 12 s too.
    const steps = times.slice(1).map((t, k) => t - times[k]!);
    const irregular = steps.flatMap((step, k) =>
      Math.abs(step - 1 / FPS) > 0.002 ? [[k, times[k], step]] : [],
    );
    expect(irregular).toEqual([]);
    // The same place on the timeline as the single-pass encode's frames.
    const singleTimes = await frameTimes(join(single, `v${i}`, 'index.m3u8'));
    expect(times[0]).toBeCloseTo(singleTimes[0]!, 3);
    expect(times.at(-1)).toBeCloseTo(singleTimes.at(-1)!, 3);
    // The stricter reader too: ffmpeg decodes every frame, none dropped at a join.
    expect(await framesFfmpegDecodes(join(chunked, `v${i}`, 'index.m3u8'))).toBe(sourceFrames.length);
  });

  it.each([0, 1])('rendition %i looks as good as the single pass on both sides of every join', async (i) => {
    // Each chunk's encode has a segment of margin on each side, dropped, and the ladder's rate control
    // is quality-based (capped CRF): without the margins the second after a join came out up to 8 dB
    // and the frame before it 2.3 dB worse; with a bit-rate target whole chunks 4 dB worse.
    const { width, height } = renditions[i]!;
    const stitched = await framePsnr(join(chunked, `v${i}`, 'index.m3u8'), width, height);
    const reference = await framePsnr(join(single, `v${i}`, 'index.m3u8'), width, height);
    expect(stitched).toHaveLength(reference.length);
    const worse = chunks.slice(1).flatMap(({ startSeconds }) => {
      const join = startSeconds * FPS;
      return Array.from({ length: 2 * FPS }, (_, k) => join - FPS + k).flatMap((frame) =>
        reference[frame]! - stitched[frame]! > 1 ? [{ frame, by: reference[frame]! - stitched[frame]! }] : [],
      );
    });
    expect(worse).toEqual([]);
  });

  it.each([0, 1])("rendition %i's fragments are numbered on across the joins, as one stream's", async (i) => {
    const playlist = await playlistOf(join(chunked, `v${i}`, 'index.m3u8'));
    const numbers: number[] = [];
    for (const segment of playlist.segments) {
      numbers.push(...readSegmentIndex(await readFile(join(chunked, `v${i}`, segment.uri))).sequenceNumbers);
    }
    expect(numbers).toEqual(numbers.map((_, k) => k + 1));
  });

  it.each([0, 1])(
    'rendition %i is cut where the single pass cuts, with one init and no discontinuity',
    async (i) => {
      const stitched = await playlistOf(join(chunked, `v${i}`, 'index.m3u8'));
      const reference = await playlistOf(join(single, `v${i}`, 'index.m3u8'));
      expect(stitched.segments.map((s) => s.durationSeconds)).toEqual(
        reference.segments.map((s) => s.durationSeconds),
      );
      expect(stitched.text.match(/#EXT-X-MAP/g)).toHaveLength(1);
      expect(stitched.text).not.toContain('DISCONTINUITY');
      expect(stitched.text).toContain('#EXT-X-ENDLIST');
      expect(stitched.text).toMatch(/#EXT-X-TARGETDURATION:2\n/);
    },
  );

  it('keeps the sound whole across the joins: no gap, no priming silence, the tone at its level', async () => {
    // The source is a 440 Hz sine: every 10 ms window around a join must carry it at full level.
    const pcm = async (playlist: string): Promise<Int16Array> => {
      // prettier-ignore
      const { stdout } = await run(binaries.ffmpeg, [
        '-nostdin', '-v', 'error', '-i', playlist, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 's16le', '-',
      ], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
      return new Int16Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 2);
    };
    const rms = (samples: Int16Array, from: number, to: number) => {
      let sum = 0;
      for (let i = from; i < to; i++) sum += samples[i]! ** 2;
      return Math.sqrt(sum / (to - from));
    };
    const audio = await pcm(join(chunked, 'v2', 'index.m3u8'));
    const whole = rms(audio, 48_000, 96_000); // 1 s of steady tone as the reference level
    const quiet = chunks.slice(1).flatMap(({ startSeconds }) => {
      const at = startSeconds * 48_000;
      return Array.from({ length: 40 }, (_, w) => at - 9_600 + w * 480).filter(
        (from) => rms(audio, from, from + 480) < 0.9 * whole,
      );
    });
    expect(quiet).toEqual([]);
    expect(audio.length / 48_000).toBeCloseTo(SOURCE_SECONDS, 1);
  });

  it('encodes the audio once over the whole source, and takes the poster from the first chunk', async () => {
    const audio = await playlistOf(join(chunked, 'v2', 'index.m3u8'));
    const seconds = audio.segments.reduce((sum, s) => sum + s.durationSeconds, 0);
    expect(seconds).toBeGreaterThan(SOURCE_SECONDS - 0.1);
    expect(seconds).toBeLessThan(SOURCE_SECONDS + 0.1);
    expect((await readFile(join(chunked, POSTER_FILE))).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('reports progress across the chunks, rising to the end', () => {
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((p) => p > 0.5)).toBe(true);
    expect(progress.every((p, k) => k === 0 || p >= progress[k - 1]! - 1e-9)).toBe(true);
  });

  it('refuses chunks that leave a hole, and chunks encoded with other settings', async () => {
    const chunkDirs = chunks.map((c) =>
      join(dir, 'chunks', `chunk-${String(c.index).padStart(4, '0')}`, 'v0'),
    );
    await expect(
      stitchRendition(
        [0, 2].map((k) => ({
          startSeconds: chunks[k]!.startSeconds,
          leadInSeconds: leadInOf(chunks[k]!),
          keepSeconds: chunks[k]!.durationSeconds,
          dir: chunkDirs[k]!,
        })),
        join(dir, 'holed'),
      ),
    ).rejects.toThrow(/chunk 1 starts at 12 s but the chunks before it end at 6.000 s/);

    const altered = join(dir, 'altered');
    await mkdir(altered);
    await cp(chunkDirs[1]!, altered, { recursive: true });
    const initName = (await playlistOf(join(altered, 'index.m3u8'))).initSegment!;
    const init = await readFile(join(altered, initName));
    init.writeUInt8(init.readUInt8(init.length - 1) ^ 0xff, init.length - 1);
    await writeFile(join(altered, initName), init);
    const stitching = stitchRendition(
      [
        { startSeconds: 0, dir: chunkDirs[0]! },
        { startSeconds: 6, dir: altered },
      ],
      join(dir, 'mismatched'),
    );
    await expect(stitching).rejects.toThrow(StitchError);
    await expect(stitching).rejects.toThrow(/init segment differs/);
  });
});
