import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { EventData, Topics } from '@moocflix/platform-bus';
import type { Logger } from '@moocflix/platform-core/log';
import { chunksFor, type ChunkingSettings } from '@moocflix/platform-core/transcoding';
import { MediaProbeError, probeMedia, type FfmpegBinaries } from '@moocflix/platform-media';
import {
  assertValidKey,
  InvalidObjectKeyError,
  ObjectNotFoundError,
  type ObjectStorage,
} from '@moocflix/platform-storage';
import { encodeChunked, type FfmpegRunner } from '../chunks/encode-chunked';
import { StitchError } from '../chunks/stitch-rendition';
import { Fmp4FormatError } from '../chunks/fmp4-decode-time';
import { buildHlsLadderArgs, POSTER_FILE } from '../ffmpeg/hls-ladder-args';
import { FfmpegFailure, runFfmpeg } from '../ffmpeg/run-ffmpeg';
import {
  IncompleteHlsOutputError,
  MASTER_PLAYLIST_FILE,
  packageHlsOutput,
  type PackagedFile,
  type PackagedRendition,
} from '../hls/hls-package';
import { withWorkDir } from '../work-dir';
import { planLadder } from './rendition-ladder';

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
}

export interface TranscodeDependencies {
  storage: ObjectStorage;
  binaries: FfmpegBinaries;
  settings: TranscodeSettings;
  logger: Logger;
  /** Called often, with a percentage; the caller decides what is worth publishing. */
  reportProgress(percent: number): void;
}

export type TranscodeOutcome =
  | {
      status: 'succeeded';
      renditions: (PackagedRendition & { playlistKey: string })[];
      masterPlaylistKey: string;
      posterKey: string | null;
      durationSeconds: number | null;
    }
  | { status: 'failed'; error: string; durationSeconds: number | null };

// ffmpeg's share of the progress bar; packaging and uploading end with the completion (100%).
const ENCODING_SHARE = 95;
const POSTER_AT_SECONDS = 1;
const UPLOAD_CONCURRENCY = 4;

/**
 * One transcode, start to end: fetch the source, probe it again (the request's `sourceFormat` is
 * not trusted), run the whole ladder as one ffmpeg process (or, for a long source, in chunks that
 * are stitched back: src/chunks), package and upload the HLS outputs.
 * An input that cannot become a video (not media, a refused container, ffmpeg failing on it, the
 * time limit, a missing source) ends as a `failed` outcome; infrastructure errors (storage
 * unreachable) and an abort (shutdown) throw, so the request stays unacknowledged and is redone.
 */
export async function transcodeVideo(
  request: TranscodingRequest,
  deps: TranscodeDependencies,
  signal: AbortSignal,
): Promise<TranscodeOutcome> {
  const { storage, binaries, settings, logger } = deps;
  const prefix = request.outputPrefix.replace(/\/+$/, '');
  let durationSeconds: number | null = null;
  try {
    assertValidKey(`${prefix}/${MASTER_PLAYLIST_FILE}`);
    return await withWorkDir(settings.workDir, async (dir) => {
      const sourcePath = await fetchSource(storage, request.sourceKey, join(dir, 'source'), signal);
      const probe = await probeMedia(sourcePath, {
        timeoutMs: settings.probeTimeoutMs,
        ffprobePath: binaries.ffprobe,
      });
      durationSeconds = probe.durationSeconds;
      const duration = probe.durationSeconds;
      if (probe.container !== request.sourceFormat) {
        logger.warn(
          { requested: request.sourceFormat, probed: probe.container },
          'source format differs from the request; using the probed one',
        );
      }

      const renditions = planLadder(probe);
      const hasAudio = probe.audioCodec !== null;
      const outputDir = join(dir, 'out');
      const ladder = {
        inputPath: sourcePath,
        demuxer: probe.container,
        renditions,
        hasAudio,
        posterAtSeconds: duration ? Math.min(POSTER_AT_SECONDS, duration / 10) : 0,
        x264Preset: settings.x264Preset,
      };
      // One time limit for the whole encode, however many ffmpeg runs it takes.
      const deadline = Date.now() + settings.timeLimitMs;
      const run: FfmpegRunner = (args, onProgress) =>
        runFfmpeg({
          binary: binaries.ffmpeg,
          args,
          timeLimitMs: Math.max(1, deadline - Date.now()),
          signal,
          onProgress,
        });
      const chunks = chunksFor(duration, settings.chunking);
      if (chunks && duration) {
        logger.info({ videoId: request.videoId, chunks: chunks.length }, 'encoding in chunks');
        await encodeChunked(
          { ...ladder, chunks, chunksDir: join(dir, 'chunks'), outputDir, sourceSeconds: duration },
          run,
          (share) => deps.reportProgress(share * ENCODING_SHARE),
        );
      } else {
        await run(buildHlsLadderArgs({ ...ladder, outputDir }), (outTime) => {
          if (duration) deps.reportProgress(Math.min(ENCODING_SHARE, (outTime / duration) * ENCODING_SHARE));
        });
      }

      const hls = await packageHlsOutput(outputDir, renditions, hasAudio);
      await uploadPackage(storage, prefix, hls.files, signal);
      return {
        status: 'succeeded' as const,
        renditions: hls.renditions.map((r) => ({ ...r, playlistKey: `${prefix}/${r.playlist}` })),
        masterPlaylistKey: `${prefix}/${MASTER_PLAYLIST_FILE}`,
        posterKey: hls.hasPoster ? `${prefix}/${POSTER_FILE}` : null,
        durationSeconds,
      };
    });
  } catch (err) {
    const error = describeInputFailure(err);
    if (error === null) throw err;
    logger.info({ videoId: request.videoId, requestId: request.requestId, error }, 'transcode failed');
    return { status: 'failed', error, durationSeconds };
  }
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

/** Every file but the master in parallel, then the master: once it is visible, all it names is there. */
async function uploadPackage(
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
function describeInputFailure(err: unknown): string | null {
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
