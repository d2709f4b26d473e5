import { execFile, execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '@moocflix/platform-core/log';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import { LocalDiskObjectStorage } from '@moocflix/platform-storage';
import { planLadder, type Rendition } from '../services/transcoder/src/domain/rendition-ladder';
import { transcodeVideo } from '../services/transcoder/src/domain/transcode-video';
import { cost, formatCost as format, medianCost as median, type Cost } from './cpu-cost';
import type { BenchResult } from './harness';
import { sized } from './profile';

/**
 * Issue 5: the transcoder's pipeline (probe, ONE ffmpeg run for the whole ladder + poster with
 * progress, the audio encoded once as its own rendition, packaging, storing the outputs) on a generated 10 s 1080p clip, measured side by side
 * in one run against
 *   - the same ladder as one plain hand-written ffmpeg command: overhead ratio, goal ≤ 1.10;
 *   - one plain ffmpeg pass per rendition, each decoding the source again: speed-up, goal ≥ 1.5.
 * Rounds alternate the three and keep each one's median (TRANSCODER_BENCH_ROUNDS, default 3).
 */
const run = promisify(execFile);
const PRESET = 'veryfast';
const CLIP = { width: 1920, height: 1080, seconds: sized(10, 2) };

interface Timings {
  pipeline: Cost;
  oneCommand: Cost;
  perRendition: Cost;
  renditions: Rendition[];
  rounds: number;
  ffmpegVersion: string;
}

let measured: Promise<Timings> | undefined;

export async function transcoderOverheadBench(): Promise<BenchResult> {
  const t = await (measured ??= measureTranscoder());
  const ratio = t.pipeline.wallMs / t.oneCommand.wallMs;
  return {
    name: 'transcoder pipeline vs the same ladder as one plain ffmpeg command',
    baseline: `plain ffmpeg: ${format(t.oneCommand)}`,
    candidate: `pipeline: ${format(t.pipeline)}`,
    ratio,
    goal: '≤ 1.10',
    met: ratio <= 1.1,
    details: `${describe(t)}; CPU-time ratio ${(t.pipeline.cpuMs / t.oneCommand.cpuMs).toFixed(2)}`,
  };
}

export async function transcoderSpeedupBench(): Promise<BenchResult> {
  const t = await (measured ??= measureTranscoder());
  const ratio = t.perRendition.wallMs / t.pipeline.wallMs;
  return {
    name: 'transcoder pipeline vs one ffmpeg pass per rendition',
    baseline: `one pass per rendition: ${format(t.perRendition)}`,
    candidate: `pipeline: ${format(t.pipeline)}`,
    ratio,
    goal: '≥ 1.5',
    met: ratio >= 1.5,
    details: `${describe(t)}; CPU-time ratio ${(t.perRendition.cpuMs / t.pipeline.cpuMs).toFixed(2)}`,
  };
}

/**
 * Throughput, reported (no ratio goal): seconds of 1080p source encoded to the full ladder per
 * CPU-second of the pipeline, with the ffmpeg build and preset it was measured with, so a capacity
 * plan can be made from it (a 60-minute lecture needs 3,600 / throughput CPU-seconds).
 */
export async function transcoderThroughputBench(): Promise<BenchResult> {
  const t = await (measured ??= measureTranscoder());
  const perCpuSecond = CLIP.seconds / (t.pipeline.cpuMs / 1000);
  const perWallSecond = CLIP.seconds / (t.pipeline.wallMs / 1000);
  return {
    name: 'transcoder throughput: seconds of 1080p source to the full ladder per CPU-second',
    baseline: `real time: 1.00 s of source per wall second`,
    candidate: `${perCpuSecond.toFixed(3)} s/CPU-s, ${perWallSecond.toFixed(3)} s/wall-s on this machine`,
    ratio: perCpuSecond,
    goal: 'reported (no goal)',
    met: true,
    details: `${describe(t)}; ${t.ffmpegVersion}; a 60-minute lecture ≈ ${Math.round(3600 / perCpuSecond / 60)} CPU-minutes`,
    measurements: {
      throughput: { sourceSecondsPerCpuSecond: perCpuSecond, sourceSecondsPerWallSecond: perWallSecond },
    },
  };
}

async function measureTranscoder(): Promise<Timings> {
  const { ffmpeg, ffprobe } = resolveFfmpegBinaries();
  const rounds = Number(process.env.TRANSCODER_BENCH_ROUNDS ?? sized(3, 1));
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
      await run(ffmpeg, plainLadderArgs(source, renditions, out, true));
    };
    // The same package as N passes: the audio rendition is encoded once, by the first pass.
    const perRendition = async (round: number) => {
      for (const [i, r] of renditions.entries())
        await run(ffmpeg, plainLadderArgs(source, [r], join(dir, `single-${round}-${i}`), i === 0));
    };

    const costs = { pipeline: [] as Cost[], oneCommand: [] as Cost[], perRendition: [] as Cost[] };
    for (let round = 0; round < rounds; round++) {
      costs.oneCommand.push(await cost(() => oneCommand(round)));
      costs.pipeline.push(await cost(() => pipeline(round)));
      costs.perRendition.push(await cost(() => perRendition(round)));
    }
    return {
      pipeline: median(costs.pipeline),
      oneCommand: median(costs.oneCommand),
      perRendition: median(costs.perRendition),
      renditions,
      rounds,
      ffmpegVersion: execFileSync(ffmpeg, ['-version'], { encoding: 'utf8' }).split('\n')[0]!.trim(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What one would type by hand for the same outputs: same split/scale, encoder settings, keyframes
 * and HLS fMP4 muxing as the pipeline's command (video-only variants, the audio as one audio-only
 * variant after them when `withAudio`) — without its poster, progress and input hardening.
 */
function plainLadderArgs(
  source: string,
  renditions: Rendition[],
  outDir: string,
  withAudio: boolean,
): string[] {
  const n = renditions.length;
  const graph = [
    `[0:v]split=${n}${renditions.map((_, i) => `[s${i}]`).join('')}`,
    ...renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height},setsar=1,format=yuv420p[v${i}]`),
  ].join(';');
  // prettier-ignore
  return [
    '-nostdin', '-loglevel', 'error', '-y', '-i', source,
    '-filter_complex', graph,
    ...renditions.flatMap((_, i) => ['-map', `[v${i}]`]),
    ...(withAudio ? ['-map', '0:a:0'] : []),
    '-c:v', 'libx264', '-preset', PRESET, '-profile:v', 'high',
    '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*2)',
    ...renditions.flatMap((r, i) => [
      `-crf:v:${i}`, '23', `-maxrate:v:${i}`, String(Math.round(r.videoBitrate * 1.1)), `-bufsize:v:${i}`, String(r.videoBitrate * 2),
    ]),
    ...(withAudio ? ['-c:a', 'aac', '-b:a', '128000', '-ac', '2'] : []),
    '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
    '-hls_segment_filename', join(outDir, 'v%v', 'seg_%05d.m4s'),
    '-var_stream_map', [...renditions.map((_, i) => `v:${i}`), ...(withAudio ? ['a:0'] : [])].join(' '),
    join(outDir, 'v%v', 'index.m3u8'),
  ];
}

function describe(t: Timings): string {
  const ladder = t.renditions.map((r) => `${r.name}@${r.videoBitrate / 1000}k`).join(', ');
  return `${CLIP.seconds} s ${CLIP.width}x${CLIP.height} source, ladder ${ladder}, x264 ${PRESET}, median of ${t.rounds} alternating rounds`;
}
