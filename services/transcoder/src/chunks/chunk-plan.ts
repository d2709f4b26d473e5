import { SEGMENT_SECONDS } from '../ffmpeg/hls-ladder-args';

/** One time range of the source, encoded on its own and stitched back (see stitch-chunks.ts). */
export interface Chunk {
  index: number;
  startSeconds: number;
  /** null for the last chunk: it reads to the end of the source, so rounding can never drop a frame. */
  durationSeconds: number | null;
}

export interface ChunkPlanOptions {
  /** The wanted chunk length; rounded down to whole segments (at least one). */
  chunkSeconds: number;
  segmentSeconds?: number;
}

/**
 * Cuts a source into chunks on the segment grid. Every chunk but the last is a whole number of
 * segments, so each starts on a keyframe the single-pass encode would also have placed there
 * (keyframes are forced every SEGMENT_SECONDS from each chunk's own start) and the stitched
 * segments have exactly the single-pass encode's boundaries. A tail shorter than one segment is
 * folded into the previous chunk rather than encoded alone. A source whose duration is unknown,
 * or not longer than one chunk, is one chunk.
 */
export function planChunks(
  sourceSeconds: number | null,
  { chunkSeconds, segmentSeconds = SEGMENT_SECONDS }: ChunkPlanOptions,
): Chunk[] {
  const length = Math.max(1, Math.floor(chunkSeconds / segmentSeconds)) * segmentSeconds;
  if (sourceSeconds === null || !Number.isFinite(sourceSeconds) || sourceSeconds <= length) {
    return [{ index: 0, startSeconds: 0, durationSeconds: null }];
  }
  const chunks: Chunk[] = [];
  for (let start = 0; sourceSeconds - start > 0; start += length) {
    // The rest after this chunk is under a segment: this chunk takes it.
    const last = sourceSeconds - (start + length) < segmentSeconds;
    chunks.push({ index: chunks.length, startSeconds: start, durationSeconds: last ? null : length });
    if (last) break;
  }
  return chunks;
}
