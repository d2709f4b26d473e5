import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '@moocflix/platform/log';
import { resolveFfmpegBinaries } from '@moocflix/platform/media';
import { LocalDiskObjectStorage } from '@moocflix/platform/storage';
import { planLadder, type Rendition } from '../services/transcoder/src/domain/rendition-ladder';
import { transcodeVideo } from '../services/transcoder/src/domain/transcode-video';
import type { BenchResult } from './harness';

/**
 * Issue 5: the transcoder's pipeline (probe, ONE ffmpeg run for the whole ladder + poster with
 * progress, packaging, storing the outputs) on a generated 10 s 1080p clip, measured side by side
 * in one run against
 *   - the same ladder as one plain hand-written ffmpeg command: overhead ratio, goal ≤ 1.10;
 *   - one plain ffmpeg pass per rendition, each decoding the source again: speed-up, goal ≥ 1.5.
 * Rounds alternate the three and keep each one's median (TRANSCODER_BENCH_ROUNDS, default 3).
 */
const run = promisify(execFile);
const PRESET = 'veryfast';
const CLIP = { width: 1920, height: 1080, seconds: 10 };

interface Timings {
  pipelineMs: number;
  oneCommandMs: number;
  perRenditionMs: number;
  renditions: Rendition[];
  rounds: number;
}

let measured: Promise<Timings> | undefined;

export async function transcoderOverheadBench(): Promise<BenchResult> {
  const t = await (measured ??= measureTranscoder());
  const ratio = t.pipelineMs / t.oneCommandMs;
  return {
    name: 'transcoder pipeline vs the same ladder as one plain ffmpeg command',
    baseline: `plain ffmpeg: ${seconds(t.oneCommandMs)}`,
    candidate: `pipeline: ${seconds(t.pipelineMs)}`,
    ratio,
    goal: '≤ 1.10',
    met: ratio <= 1.1,
    details: describe(t),
  };
}

export async function transcoderSpeedupBench(): Promise<BenchResult> {
  const t = await (measured ??= measureTranscoder());
  const ratio = t.perRenditionMs / t.pipelineMs;
  return {
    name: 'transcoder pipeline vs one ffmpeg pass per rendition',
    baseline: `one pass per rendition: ${seconds(t.perRenditionMs)}`,
    candidate: `pipeline: ${seconds(t.pipelineMs)}`,
    ratio,
    goal: '≥ 1.5',
    met: ratio >= 1.5,
    details: describe(t),
  };
}

async function measureTranscoder(): Promise<Timings> {
  const { ffmpeg, ffprobe } = resolveFfmpegBinaries();
  const rounds = Number(process.env.TRANSCODER_BENCH_ROUNDS ?? 3);
  const dir = await mkdtemp(join(tmpdir(), 'transcoder-bench-'));
  try {
    const source = join(dir, 'source.mp4');
    // prettier-ignore
    await run(ffmpeg, [
      '-nostdin', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${CLIP.width}x${CLIP.height}:rate=30:duration=${CLIP.seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:duration=${CLIP.seconds}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', source,
    ]);
    const storage = new LocalDiskObjectStorage({ rootDir: join(dir, 'storage') });
    await storage.ensureBucket();
    await storage.put('uploads/bench', createReadStream(source));
    const renditions = planLadder(CLIP);
    const logger = createLogger('transcoder-bench', 'silent');

    const pipeline = async (round: number) => {
      const outcome = await transcodeVideo(
        {
          requestId: `bench-${round}`,
          videoId: 'bench',
          courseId: 'bench',
          requestedBy: 'bench',
          sourceKey: 'uploads/bench',
          outputPrefix: `videos/bench-${round}`,
          sourceFormat: 'mov',
          requestedAt: new Date().toISOString(),
        },
        {
          storage,
          binaries: { ffmpeg, ffprobe },
          settings: {
            timeLimitMs: 3_600_000,
            probeTimeoutMs: 30_000,
            x264Preset: PRESET,
            workDir: join(dir, 'work'),
          },
          logger,
          reportProgress: () => undefined,
        },
        new AbortController().signal,
      );
      if (outcome.status !== 'succeeded') throw new Error(`pipeline failed: ${outcome.error}`);
    };
    const oneCommand = async (round: number) => {
      const out = join(dir, `plain-${round}`);
      await run(ffmpeg, plainLadderArgs(source, renditions, out));
    };
    const perRendition = async (round: number) => {
      for (const [i, r] of renditions.entries())
        await run(ffmpeg, plainLadderArgs(source, [r], join(dir, `single-${round}-${i}`)));
    };

    const times = { pipeline: [] as number[], oneCommand: [] as number[], perRendition: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      times.oneCommand.push(await timed(() => oneCommand(round)));
      times.pipeline.push(await timed(() => pipeline(round)));
      times.perRendition.push(await timed(() => perRendition(round)));
    }
    return {
      pipelineMs: median(times.pipeline),
      oneCommandMs: median(times.oneCommand),
      perRenditionMs: median(times.perRendition),
      renditions,
      rounds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What one would type by hand for the same outputs: same split/scale, encoder settings, keyframes
 * and HLS fMP4 muxing as the pipeline's command — without its poster, progress and input hardening.
 */
function plainLadderArgs(source: string, renditions: Rendition[], outDir: string): string[] {
  const n = renditions.length;
  const graph = [
    `[0:v]split=${n}${renditions.map((_, i) => `[s${i}]`).join('')}`,
    ...renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height},setsar=1,format=yuv420p[v${i}]`),
  ].join(';');
  // prettier-ignore
  return [
    '-nostdin', '-loglevel', 'error', '-y', '-i', source,
    '-filter_complex', graph,
    ...renditions.flatMap((_, i) => ['-map', `[v${i}]`, '-map', '0:a:0']),
    '-c:v', 'libx264', '-preset', PRESET, '-profile:v', 'high',
    '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*2)',
    ...renditions.flatMap((r, i) => [
      `-b:v:${i}`, String(r.videoBitrate), `-maxrate:v:${i}`, String(Math.round(r.videoBitrate * 1.1)), `-bufsize:v:${i}`, String(r.videoBitrate * 2),
    ]),
    '-c:a', 'aac', '-b:a', '128000', '-ac', '2',
    '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
    '-hls_segment_filename', join(outDir, 'v%v', 'seg_%05d.m4s'),
    '-var_stream_map', renditions.map((_, i) => `v:${i},a:${i}`).join(' '),
    join(outDir, 'v%v', 'index.m3u8'),
  ];
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function describe(t: Timings): string {
  const ladder = t.renditions.map((r) => `${r.name}@${r.videoBitrate / 1000}k`).join(', ');
  return `${CLIP.seconds} s ${CLIP.width}x${CLIP.height} source, ladder ${ladder}, x264 ${PRESET}, median of ${t.rounds} alternating rounds`;
}
