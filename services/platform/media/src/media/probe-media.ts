import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { resolveFfmpegBinaries } from './binaries';
import { ACCEPTED_DEMUXER_LIST, classifyContainer, type AcceptedContainer } from './containers';
import { MediaProbeError } from './media-probe-error';

export interface MediaProbe {
  /** ffprobe's `format_name`, verbatim (e.g. `mov,mp4,m4a,3gp,3g2,mj2`). */
  formatName: string;
  /** The demuxer to force when reading this file again (`ffmpeg -f <container>`). */
  container: AcceptedContainer;
  durationSeconds: number | null;
  /** Display size: a 90°/270° rotation tag is applied, so a phone's portrait clip is taller than wide. */
  width: number;
  height: number;
  /** Frames per second of the video stream when ffprobe knows it. */
  frameRate: number | null;
  videoCodec: string;
  audioCodec: string | null;
  /** Overall bit rate in bits/s when the container states it. */
  bitRate: number | null;
  sizeBytes: number;
}

export interface ProbeMediaOptions {
  /** ffprobe is killed after this long and the input is refused as `timeout`. */
  timeoutMs: number;
  /** Defaults to resolveFfmpegBinaries().ffprobe. */
  ffprobePath?: string;
}

// ffprobe's JSON for a parseable file is a few KB; anything beyond this is not worth keeping.
const MAX_CAPTURED_BYTES = 1024 * 1024;

const ffprobeOutput = z.object({
  format: z
    .object({
      format_name: z.string(),
      duration: z.string().optional(),
      bit_rate: z.string().optional(),
    })
    .optional(),
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        avg_frame_rate: z.string().optional(),
        r_frame_rate: z.string().optional(),
        duration: z.string().optional(),
        disposition: z.object({ attached_pic: z.number().optional() }).optional(),
        tags: z.object({ rotate: z.string().optional() }).optional(),
        side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
      }),
    )
    .default([]),
});

type FfprobeStream = z.infer<typeof ffprobeOutput>['streams'][number];

/**
 * Identifies an untrusted local file as a video we accept, without ever going through a shell and
 * without letting the file make ffprobe read anything else: only the `file` protocol is allowed,
 * the path is passed as an explicit `file:` URL (so a name like `-i` or `pipe:0` means nothing),
 * and only the allowlisted demuxers may open it — a playlist or concat list is detected and refused
 * BEFORE its demuxer reads a single referenced entry (ffprobe checks `-format_whitelist` between
 * format detection and header parsing).
 */
export async function probeMedia(path: string, options: ProbeMediaOptions): Promise<MediaProbe> {
  const { size: sizeBytes } = await stat(path);
  const args = [
    '-v',
    'error',
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    ACCEPTED_DEMUXER_LIST,
    '-of',
    'json',
    '-show_format',
    '-show_streams',
    `file:${resolve(path)}`,
  ];
  const run = await runFfprobe(
    options.ffprobePath ?? resolveFfmpegBinaries().ffprobe,
    args,
    options.timeoutMs,
  );

  if (run.timedOut)
    throw new MediaProbeError('timeout', `ffprobe did not finish within ${options.timeoutMs} ms`);
  if (run.signal)
    throw new MediaProbeError('probe-crashed', `ffprobe crashed (${run.signal}) reading the file`);
  if (run.exitCode !== 0) throw failureFromStderr(run.stderr);

  const parsed = ffprobeOutput.safeParse(parseJson(run.stdout));
  if (!parsed.success || !parsed.data.format)
    throw new MediaProbeError('not-media', 'ffprobe found no container');
  const { format, streams } = parsed.data;

  const container = classifyContainer(format.format_name);
  if (!container) {
    throw new MediaProbeError(
      'refused-container',
      `container ${format.format_name} is not accepted`,
      format.format_name,
    );
  }
  // Cover art in an audio file is a "video" stream too; it is not a video.
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video || !video.width || !video.height || !video.codec_name) {
    throw new MediaProbeError('no-video-stream', 'the file has no video stream', format.format_name);
  }
  const audio = streams.find((s) => s.codec_type === 'audio');
  const rotated = isQuarterTurn(video);

  return {
    formatName: format.format_name,
    container,
    durationSeconds: positiveNumber(format.duration) ?? positiveNumber(video.duration),
    width: rotated ? video.height : video.width,
    height: rotated ? video.width : video.height,
    frameRate: frameRate(video.avg_frame_rate) ?? frameRate(video.r_frame_rate),
    videoCodec: video.codec_name,
    audioCodec: audio?.codec_name ?? null,
    bitRate: positiveNumber(format.bit_rate),
    sizeBytes,
  };
}

interface FfprobeRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

function runFfprobe(binary: string, args: string[], timeoutMs: number): Promise<FfprobeRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const stdout = capped();
    const stderr = capped();
    child.stdout.on('data', stdout.push);
    child.stderr.on('data', stderr.push);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err); // ffprobe missing or not executable: our fault, not the upload's
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolvePromise({ exitCode, signal, timedOut, stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}

function capped() {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push: (chunk: Buffer) => {
      if (size >= MAX_CAPTURED_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

/** ffprobe logs `[<detected format> @ 0x...] Format not on whitelist '...'` for a refused container. */
function failureFromStderr(stderr: string): MediaProbeError {
  const refused = /\[([^\s@\]]+) @ [^\]]*\] Format not on whitelist/.exec(stderr);
  if (refused?.[1]) {
    return new MediaProbeError('refused-container', `container ${refused[1]} is not accepted`, refused[1]);
  }
  return new MediaProbeError('not-media', 'the file is not a media file ffprobe can read');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function positiveNumber(value: string | undefined): number | null {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : null;
}

function frameRate(ratio: string | undefined): number | null {
  const [num, den] = (ratio ?? '').split('/').map(Number);
  return num && den && Number.isFinite(num / den) ? num / den : null;
}

function isQuarterTurn(stream: FfprobeStream): boolean {
  const rotation =
    stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ??
    Number(stream.tags?.rotate ?? 0);
  return Math.abs(rotation) % 180 === 90;
}
