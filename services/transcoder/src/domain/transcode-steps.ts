import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { EventData, Topics } from '@moocflix/platform-bus';
import type { Logger } from '@moocflix/platform-core/log';
import { MediaProbeError, probeMedia, type FfmpegBinaries, type MediaProbe } from '@moocflix/platform-media';
import { InvalidObjectKeyError, ObjectNotFoundError, type ObjectStorage } from '@moocflix/platform-storage';
import type { ChunkingSettings } from '@moocflix/platform-core/transcoding';
import type { FfmpegRunner } from '../chunks/encode-chunked';
import { Fmp4FormatError } from '../chunks/fmp4-decode-time';
import { StitchError } from '../chunks/stitch-rendition';
import type { HlsLadderJob } from '../ffmpeg/hls-ladder-args';
import { encodePreview, type PlayablePreview } from '../preview/encode-preview';
import { FfmpegFailure, runFfmpeg } from '../ffmpeg/run-ffmpeg';
import { IncompleteHlsOutputError, MASTER_PLAYLIST_FILE, type PackagedFile } from '../hls/hls-package';
import { planLadder } from './rendition-ladder';

// The steps every way of transcoding shares (one pass, local chunks, a distributed part, the stitch).

export type TranscodingRequest = EventData<typeof Topics.TranscodingRequest>;

export interface TranscodeSettings {
  timeLimitMs: number;
  probeTimeoutMs: number;
  x264Preset: string;
  /** Parent of the per-run temp folders. */
  workDir: string;
  /**
   * Sources longer than `thresholdSeconds` are encoded in chunks of about `chunkSeconds`, stitched
   * (src/chunks); absent, or a threshold of 0, means one pass always.
   */
  chunking?: ChunkingSettings;
  /**
   * Sources at least this long get a preview first, playable within seconds (src/preview); 0 or
   * absent: never.
   */
  previewMinSeconds?: number;
}

export interface TranscodeDependencies {
  storage: ObjectStorage;
  binaries: FfmpegBinaries;
  settings: TranscodeSettings;
  logger: Logger;
  /** Called often, with a percentage; the caller decides what is worth publishing. */
  reportProgress(percent: number): void;
  /** Called once the preview can be played (absent: previews are not announced). */
  reportPlayable?(preview: PlayablePreview): void;
}

// ffmpeg's share of the progress bar; packaging and uploading end with the completion (100%).
export const ENCODING_SHARE = 95;
const POSTER_AT_SECONDS = 1;
const UPLOAD_CONCURRENCY = 4;

/** The request's output folder, without a trailing slash. */
export const outputPrefixOf = (request: TranscodingRequest): string =>
  request.outputPrefix.replace(/\/+$/, '');

/** A fetched and probed source, and the ladder it gets (everything but where the output goes). */
export interface PreparedSource {
  probe: MediaProbe;
  ladder: Omit<HlsLadderJob, 'outputDir' | 'timeRange'>;
}

/**
 * Fetches the source into `dir` (or reads it in place from local-disk storage) and probes it again:
 * the request's `sourceFormat` is not trusted; the probed container is forced as ffmpeg's demuxer.
 */
export async function prepareSource(
  request: TranscodingRequest,
  deps: TranscodeDependencies,
  dir: string,
  signal: AbortSignal,
): Promise<PreparedSource> {
  const { storage, binaries, settings, logger } = deps;
  const sourcePath = await fetchSource(storage, request.sourceKey, join(dir, 'source'), signal);
  const probe = await probeMedia(sourcePath, {
    timeoutMs: settings.probeTimeoutMs,
    ffprobePath: binaries.ffprobe,
  });
  if (probe.container !== request.sourceFormat) {
    logger.warn(
      { requested: request.sourceFormat, probed: probe.container },
      'source format differs from the request; using the probed one',
    );
  }
  const duration = probe.durationSeconds;
  return {
    probe,
    ladder: {
      inputPath: sourcePath,
      demuxer: probe.container,
      renditions: planLadder(probe),
      hasAudio: probe.audioCodec !== null,
      posterAtSeconds: duration ? Math.min(POSTER_AT_SECONDS, duration / 10) : 0,
      x264Preset: settings.x264Preset,
    },
  };
}

/** Runs ffmpeg under ONE time limit for all the runs of a transcode, however many it takes. */
export function ffmpegRunner(deps: TranscodeDependencies, signal: AbortSignal): FfmpegRunner {
  const deadline = Date.now() + deps.settings.timeLimitMs;
  return (args, onProgress) =>
    runFfmpeg({
      binary: deps.binaries.ffmpeg,
      args,
      timeLimitMs: Math.max(1, deadline - Date.now()),
      signal,
      onProgress,
    });
}

/** The source as a local file: read in place from local-disk storage, else downloaded into the work folder. */
async function fetchSource(
  storage: ObjectStorage,
  key: string,
  downloadPath: string,
  signal: AbortSignal,
): Promise<string> {
  const local = storage.localPath(key);
  if (local) {
    const info = await stat(local).catch(() => null);
    if (!info?.isFile()) throw new ObjectNotFoundError(key);
    return local;
  }
  await pipeline(await storage.get(key), createWriteStream(downloadPath, { flags: 'wx' }), { signal });
  return downloadPath;
}

/**
 * Uploads files under `prefix`, several at a time, and the master playlist (if among them) LAST:
 * once it is visible, all it names is there.
 */
export async function uploadFiles(
  storage: ObjectStorage,
  prefix: string,
  files: PackagedFile[],
  signal: AbortSignal,
): Promise<void> {
  const upload = (file: PackagedFile) =>
    storage.put(`${prefix}/${file.relativeKey}`, createReadStream(file.localPath), {
      contentType: file.contentType,
    });
  const master = files.filter((f) => f.relativeKey === MASTER_PLAYLIST_FILE);
  const queue = files.filter((f) => f.relativeKey !== MASTER_PLAYLIST_FILE);
  const uploadNext = async (): Promise<void> => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      signal.throwIfAborted();
      await upload(file);
    }
  };
  await Promise.all(Array.from({ length: UPLOAD_CONCURRENCY }, uploadNext));
  for (const file of master) await upload(file);
}

/** `<reason>: <detail>` when the failure is the request's or the input's fault; null for our own. */
export function describeInputFailure(err: unknown): string | null {
  if (err instanceof MediaProbeError) return `${err.reason}: ${err.message}`;
  if (err instanceof FfmpegFailure)
    return `${err.kind === 'time-limit' ? 'time-limit' : 'ffmpeg-failed'}: ${err.message}`;
  if (err instanceof ObjectNotFoundError) return `source-missing: ${err.message}`;
  if (err instanceof InvalidObjectKeyError) return `invalid-request: ${err.message}`;
  if (err instanceof IncompleteHlsOutputError) return `incomplete-output: ${err.message}`;
  // ffmpeg wrote chunks that cannot be joined (never seen; checked, not assumed): not retried.
  if (err instanceof StitchError || err instanceof Fmp4FormatError) return `stitch-failed: ${err.message}`;
  return null;
}

/**
 * Encodes and publishes the preview when the source is long enough to deserve one (see
 * TranscodeSettings.previewMinSeconds); resolves when the preview is complete.
 */
export async function previewIfLong(
  request: TranscodingRequest,
  deps: TranscodeDependencies,
  source: PreparedSource,
  dir: string,
  run: FfmpegRunner,
): Promise<void> {
  const min = deps.settings.previewMinSeconds ?? 0;
  const duration = source.probe.durationSeconds;
  if (min <= 0 || !duration || duration < min) return;
  await publishPreview(request, deps, source, dir, run);
}

/** The preview of the source, published under the request's output prefix as it grows. */
export async function publishPreview(
  request: TranscodingRequest,
  deps: TranscodeDependencies,
  { ladder }: PreparedSource,
  dir: string,
  run: FfmpegRunner,
): Promise<void> {
  const outputDir = join(dir, 'preview');
  // ffmpeg creates the folders of a var_stream_map pattern, not of a plain segment path.
  await mkdir(outputDir, { recursive: true });
  await encodePreview(
    {
      inputPath: ladder.inputPath,
      demuxer: ladder.demuxer,
      rendition: ladder.renditions[0]!,
      hasAudio: ladder.hasAudio,
      outputDir,
    },
    {
      storage: deps.storage,
      prefix: outputPrefixOf(request),
      run,
      onPlayable: (preview) => {
        deps.logger.info(
          { videoId: request.videoId, masterPlaylistKey: preview.masterPlaylistKey },
          'preview playable',
        );
        deps.reportPlayable?.(preview);
      },
    },
  );
}
