import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Chunk } from '@moocflix/platform-core/transcoding';
import {
  POSTER_FILE,
  audioVariantDir,
  buildAudioRenditionArgs,
  buildHlsLadderArgs,
  variantDir,
  type HlsLadderJob,
} from '../ffmpeg/hls-ladder-args';
import { stitchRendition } from './stitch-rendition';

/** Runs one ffmpeg command line; progress is the output time in seconds of that run. */
export type FfmpegRunner = (args: string[], onProgress: (outTimeSeconds: number) => void) => Promise<void>;

export type LadderInput = Omit<HlsLadderJob, 'timeRange' | 'outputDir'>;

export interface ChunkedEncodeJob extends LadderInput {
  chunks: Chunk[];
  /** Scratch space for the chunks' own outputs. */
  chunksDir: string;
  /** Gets the same layout a single-pass encode writes (v0…/ video, the audio after, the poster). */
  outputDir: string;
  sourceSeconds: number;
}

/**
 * The chunked plan run by one process (`make dev`, or a worker that takes a whole request): the
 * audio once over the whole source, then each chunk's video ladder over its time range, then each
 * rendition stitched. On a cluster the same parts run as the indices of an Indexed Job
 * (domain/transcode-parts.ts); here they run one after another, because one ffmpeg already fills a
 * node's cores and parallel chunks on the same node only slow each other down. Progress counts
 * video seconds encoded.
 */
export async function encodeChunked(
  job: ChunkedEncodeJob,
  run: FfmpegRunner,
  onProgress: (share: number) => void,
): Promise<void> {
  if (job.hasAudio)
    await encodeAudioOnce(job, join(job.outputDir, audioVariantDir(job.renditions.length)), run);
  for (const chunk of job.chunks) {
    await encodeChunk(job, chunk, chunkDirOf(job.chunksDir, chunk), run, (outTime) =>
      onProgress(Math.min(1, (chunk.startSeconds + outTime) / job.sourceSeconds)),
    );
  }
  await assembleChunks(job);
}

/** The whole source's audio, once, as the package's audio rendition, into `dir`. */
export async function encodeAudioOnce(input: LadderInput, dir: string, run: FfmpegRunner): Promise<void> {
  // ffmpeg creates the folders of a var_stream_map pattern, not of a plain segment path.
  await mkdir(dir, { recursive: true });
  await run(
    buildAudioRenditionArgs({ inputPath: input.inputPath, demuxer: input.demuxer, outputDir: dir }),
    () => undefined,
  );
}

/**
 * How much of the source around a chunk its encode also covers, then drops. x264 starts every
 * encode cold and ends it without the frames that follow: without a margin the first second after
 * each join came out up to 8 dB worse (PSNR) than the single pass's same frames, and the last frame
 * before it 2.3 dB worse. One segment each side, encoded and thrown away, costs 4 s per chunk; the
 * first chunk has no lead-in (the source starts there), the last no lead-out (it reads to the end).
 */
export const MARGIN_SECONDS = 2;
export const leadInOf = (chunk: Chunk): number =>
  chunk.index === 0 ? 0 : Math.min(MARGIN_SECONDS, chunk.startSeconds);
const leadOutOf = (chunk: Chunk): number => (chunk.durationSeconds === null ? 0 : MARGIN_SECONDS);

/** The time range of the source a chunk's encode covers: the chunk with its margins (null: to the end). */
export function encodedRangeOf(chunk: Chunk): { startSeconds: number; durationSeconds: number | null } {
  return {
    startSeconds: chunk.startSeconds - leadInOf(chunk),
    durationSeconds:
      chunk.durationSeconds === null ? null : leadInOf(chunk) + chunk.durationSeconds + leadOutOf(chunk),
  };
}

/** One chunk's video ladder (and, for the first chunk, the poster) into `dir`, with its margins. */
export async function encodeChunk(
  input: LadderInput & { sourceSeconds: number },
  chunk: Chunk,
  dir: string,
  run: FfmpegRunner,
  onProgress: (outTimeSeconds: number) => void,
): Promise<void> {
  await run(
    buildHlsLadderArgs({
      ...input,
      hasAudio: false,
      outputDir: dir,
      // Only the first chunk takes the poster, from inside its own range.
      posterAtSeconds:
        chunk.index === 0 && input.posterAtSeconds !== null
          ? Math.min(input.posterAtSeconds, (chunk.durationSeconds ?? input.sourceSeconds) / 2)
          : null,
      timeRange: encodedRangeOf(chunk),
    }),
    // Seconds of this chunk done: not counting the lead-in, and never past the chunk's end, though
    // ffmpeg goes on through the lead-out. A caller adding the chunk's start then never runs ahead
    // of where the next chunk starts (progress that went back at every join).
    (outTime) =>
      onProgress(Math.min(lengthOf(chunk, input.sourceSeconds), Math.max(0, outTime - leadInOf(chunk)))),
  );
}

/** A chunk's own length, margins excluded; the last one reads to the end of the source. */
const lengthOf = (chunk: Chunk, sourceSeconds: number): number =>
  chunk.durationSeconds ?? Math.max(0, sourceSeconds - chunk.startSeconds);

/**
 * The chunks' outputs (each under `chunksDir/chunk-NNNN/`) joined into `outputDir` in a single
 * pass's layout: every rendition stitched, the first chunk's poster moved over. The audio
 * rendition is already in place.
 */
export async function assembleChunks(job: {
  chunks: Chunk[];
  chunksDir: string;
  outputDir: string;
  renditions: unknown[];
  posterAtSeconds: number | null;
}): Promise<void> {
  const first = chunkDirOf(job.chunksDir, job.chunks[0]!);
  if (job.posterAtSeconds !== null) await rename(join(first, POSTER_FILE), join(job.outputDir, POSTER_FILE));
  for (const [i] of job.renditions.entries()) {
    await stitchRendition(
      job.chunks.map((chunk) => ({
        startSeconds: chunk.startSeconds,
        leadInSeconds: leadInOf(chunk),
        keepSeconds: chunk.durationSeconds,
        dir: join(chunkDirOf(job.chunksDir, chunk), variantDir(i)),
      })),
      join(job.outputDir, variantDir(i)),
    );
  }
}

/** A chunk's folder name, locally and in storage. */
export const chunkNameOf = (chunk: Chunk): string => `chunk-${String(chunk.index).padStart(4, '0')}`;
const chunkDirOf = (root: string, chunk: Chunk): string => join(root, chunkNameOf(chunk));
