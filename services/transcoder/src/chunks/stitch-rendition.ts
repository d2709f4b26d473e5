import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VARIANT_PLAYLIST_FILE } from '../ffmpeg/hls-ladder-args';
import { readVariantPlaylist } from '../hls/variant-playlist';
import { placeSegment, readTrackTimescale } from './fmp4-decode-time';

/** One rendition of one chunk as ffmpeg wrote it: `index.m3u8`, its init segment and media segments. */
export interface ChunkRenditionOutput {
  /** Where the chunk starts in the source (on the segment grid). */
  startSeconds: number;
  /** Its encode began this much earlier (rate control warm-up): those first segments are dropped. */
  leadInSeconds?: number;
  /** How much of it to keep after the lead-in (the rest is its lead-out, dropped); null: all. */
  keepSeconds?: number | null;
  dir: string;
}

/** Chunks that cannot be joined into one valid stream; the transcode fails rather than publish it. */
export class StitchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StitchError';
  }
}

export const INIT_SEGMENT_FILE = 'init.mp4';
/** A chunk's media must reach the next chunk's start to within this (a frame at 24 fps is 41.7 ms). */
const JOIN_TOLERANCE_SECONDS = 0.05;

/**
 * Joins one rendition's chunks into the playlist a single-pass encode would have written, in the
 * way players accept (docs/architecture.md, Video pipeline): ONE init segment (the chunks'
 * inits must be byte-identical: same encoder settings, so the same codec configuration), the
 * segments numbered on, each fragment moved to its chunk's place on the timeline and renumbered (so
 * timestamps and sequence numbers run on without a jump), and no EXT-X-DISCONTINUITY. A chunk whose media stops short of the next
 * chunk's start would leave a hole: refused.
 */
export async function stitchRendition(
  chunks: ChunkRenditionOutput[],
  outputDir: string,
): Promise<{ segmentCount: number; durationSeconds: number }> {
  if (chunks.length === 0) throw new StitchError('no chunks to stitch');
  const ordered = [...chunks].sort((a, b) => a.startSeconds - b.startSeconds);
  await mkdir(outputDir, { recursive: true });

  let init: Buffer | null = null;
  let timescale = 0;
  const lines: string[] = [];
  let segmentCount = 0;
  let fragments = 0;
  let targetDuration = 0;
  let endSeconds = 0;
  for (const [k, chunk] of ordered.entries()) {
    const playlist = readVariantPlaylist(await readFile(join(chunk.dir, VARIANT_PLAYLIST_FILE), 'utf8'));
    if (!playlist.initSegment) throw new StitchError(`chunk ${k} has no init segment`);
    const chunkInit = await readFile(join(chunk.dir, playlist.initSegment));
    if (init === null) {
      init = chunkInit;
      timescale = readTrackTimescale(init);
      await copyFile(join(chunk.dir, playlist.initSegment), join(outputDir, INIT_SEGMENT_FILE));
    } else if (!init.equals(chunkInit)) {
      throw new StitchError(`chunk ${k}'s init segment differs from chunk 0's: encoded with other settings`);
    }
    if (Math.abs(chunk.startSeconds - endSeconds) > JOIN_TOLERANCE_SECONDS) {
      throw new StitchError(
        `chunk ${k} starts at ${chunk.startSeconds} s but the chunks before it end at ${endSeconds.toFixed(3)} s`,
      );
    }
    const lead = chunk.leadInSeconds ?? 0;
    const keep = chunk.keepSeconds ?? Number.POSITIVE_INFINITY;
    let dropped = 0;
    let taken = 0;
    const kept = playlist.segments.filter((segment) => {
      if (dropped < lead - JOIN_TOLERANCE_SECONDS) {
        dropped += segment.durationSeconds;
        return false;
      }
      if (taken >= keep - JOIN_TOLERANCE_SECONDS) return false; // the lead-out
      taken += segment.durationSeconds;
      return true;
    });
    if (Math.abs(dropped - lead) > JOIN_TOLERANCE_SECONDS) {
      throw new StitchError(
        `chunk ${k}'s lead-in of ${lead} s does not end on a segment (${dropped.toFixed(3)} s)`,
      );
    }
    let chunkSeconds = 0;
    for (const segment of kept) {
      const data = await readFile(join(chunk.dir, segment.uri));
      // The encode's timeline starts at the lead-in. Exact: whole seconds, whole ticks per second.
      fragments += placeSegment(data, {
        startSeconds: chunk.startSeconds - lead,
        timescale,
        firstSequenceNumber: fragments + 1,
      });
      const name = `seg_${String(segmentCount).padStart(5, '0')}.m4s`;
      await writeFile(join(outputDir, name), data);
      lines.push(`#EXTINF:${segment.durationSeconds.toFixed(6)},`, name);
      segmentCount += 1;
      chunkSeconds += segment.durationSeconds;
      targetDuration = Math.max(targetDuration, Math.ceil(segment.durationSeconds));
    }
    endSeconds = chunk.startSeconds + chunkSeconds;
  }

  const playlist = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDuration}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXT-X-MAP:URI="${INIT_SEGMENT_FILE}"`,
    ...lines,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
  await writeFile(join(outputDir, VARIANT_PLAYLIST_FILE), playlist);
  return { segmentCount, durationSeconds: endSeconds };
}
