/**
 * Segment length and keyframe interval of every HLS rendition, in seconds: every rendition cuts at
 * the same instants, and chunks are cut on the same grid.
 */
export const SEGMENT_SECONDS = 2;

/**
 * The default chunk length (TRANSCODER_CHUNK_SECONDS of the transcoder and the operator). Each part
 * of a distributed transcode pays a fixed price besides its encode: a pod start, the source's fetch
 * (the whole file: about 18 s for an hour of 8 Mb/s at 200 MB/s) and 4 s of margins encoded and
 * thrown away (encode-chunked.ts). At 60 s that price was about 40 % of a part's time, and an hour
 * on 8 pods needed 8 rounds; at 120 s it is about 25 %, an hour is 30 parts (4 rounds on 8 pods,
 * 1 on 30) and `make bench BENCH=chunked` extrapolates it under 10 minutes. Shorter chunks only
 * win with more pods than parts, which is why it stays configurable.
 */
export const DEFAULT_CHUNK_SECONDS = 120;

/** One time range of the source, encoded on its own and stitched back by the transcoder. */
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

/** When a source is chunked: longer than `thresholdSeconds` (0: never), in chunks of about `chunkSeconds`. */
export interface ChunkingSettings {
  thresholdSeconds: number;
  chunkSeconds: number;
}

/**
 * The chunk plan of a source under these settings, or null when it is encoded in one pass (short,
 * of unknown length, chunking off). The operator and the transcoder both call it with the same
 * duration (the request's) and settings, so a distributed transcode's parts agree on the plan.
 */
export function chunksFor(
  durationSeconds: number | null | undefined,
  chunking: ChunkingSettings | undefined,
): Chunk[] | null {
  if (!chunking || chunking.thresholdSeconds <= 0 || !durationSeconds) return null;
  if (durationSeconds <= chunking.thresholdSeconds) return null;
  const chunks = planChunks(durationSeconds, { chunkSeconds: chunking.chunkSeconds });
  return chunks.length > 1 ? chunks : null;
}

/**
 * A distributed transcode runs as indexed parts (a Kubernetes Indexed Job): index 0 is the preview
 * (first, so the Job controller starts it first and the video is playable within seconds), index
 * 1 + i is chunk i's video ladder, the last index the audio, encoded once over the whole source.
 * Then one stitch step joins the chunks and the audio.
 */
export const partCountOf = (chunks: readonly Chunk[]): number => chunks.length + 2;
