import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  POSTER_FILE,
  audioVariantDir,
  buildAudioRenditionArgs,
  buildHlsLadderArgs,
  variantDir,
  type HlsLadderJob,
} from '../ffmpeg/hls-ladder-args';
import type { Chunk } from '@moocflix/platform-core/transcoding';
import { stitchRendition } from './stitch-rendition';

/** Runs one ffmpeg command line; progress is the output time in seconds of that run. */
export type FfmpegRunner = (args: string[], onProgress: (outTimeSeconds: number) => void) => Promise<void>;

export interface ChunkedEncodeJob extends Omit<HlsLadderJob, 'timeRange' | 'outputDir'> {
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
 * rendition stitched. On a cluster the same chunks become the indices of an Indexed Job; here they
 * run one after another, because one ffmpeg already fills a node's cores and parallel chunks on
 * the same node only slow each other down. Progress counts video seconds encoded.
 */
export async function encodeChunked(
  job: ChunkedEncodeJob,
  run: FfmpegRunner,
  onProgress: (share: number) => void,
): Promise<void> {
  const { renditions, chunks } = job;
  if (job.hasAudio) {
    const audioDir = join(job.outputDir, audioVariantDir(renditions.length));
    // ffmpeg creates the folders of a var_stream_map pattern, not of a plain segment path.
    await mkdir(audioDir, { recursive: true });
    await run(
      buildAudioRenditionArgs({
        inputPath: job.inputPath,
        demuxer: job.demuxer,
        outputDir: audioDir,
      }),
      () => undefined,
    );
  }
  for (const chunk of chunks) {
    const first = chunk.index === 0;
    await run(
      buildHlsLadderArgs({
        ...job,
        hasAudio: false,
        outputDir: chunkDir(job.chunksDir, chunk),
        // Only the first chunk takes the poster, from inside its own range.
        posterAtSeconds:
          first && job.posterAtSeconds !== null
            ? Math.min(job.posterAtSeconds, (chunk.durationSeconds ?? job.sourceSeconds) / 2)
            : null,
        timeRange: { startSeconds: chunk.startSeconds, durationSeconds: chunk.durationSeconds },
      }),
      (outTime) => onProgress(Math.min(1, (chunk.startSeconds + outTime) / job.sourceSeconds)),
    );
  }
  if (job.posterAtSeconds !== null) {
    await rename(join(chunkDir(job.chunksDir, chunks[0]!), POSTER_FILE), join(job.outputDir, POSTER_FILE));
  }
  for (const [i] of renditions.entries()) {
    await stitchRendition(
      chunks.map((chunk) => ({
        startSeconds: chunk.startSeconds,
        dir: join(chunkDir(job.chunksDir, chunk), variantDir(i)),
      })),
      join(job.outputDir, variantDir(i)),
    );
  }
}

const chunkDir = (root: string, chunk: Chunk): string =>
  join(root, `chunk-${String(chunk.index).padStart(4, '0')}`);
