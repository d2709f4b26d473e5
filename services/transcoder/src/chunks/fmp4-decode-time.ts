/**
 * Just enough ISO BMFF (MP4) walking to stitch chunks: read a track's timescale from an init
 * segment, and move a media segment along the timeline (placeSegment). ffmpeg's static build here
 * has no `-hls_segment_options`, so it cannot be told to start a chunk's fragments at the chunk's
 * place in the source; each chunk is encoded from 0 and moved here instead (cheap: a few bytes per
 * fragment, no re-encode).
 */

/** A box header, then the offsets of its payload. */
interface Box {
  type: string;
  payloadStart: number;
  end: number;
}

/** Containers whose children we descend into; every other box is skipped whole. */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf']);

export class Fmp4FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Fmp4FormatError';
  }
}

function* boxesIn(data: Uint8Array, start: number, end: number): Generator<Box> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = start;
  while (offset < end) {
    if (end - offset < 8) throw new Fmp4FormatError(`a truncated box header at byte ${offset}`);
    let size = view.getUint32(offset);
    const type = String.fromCharCode(...data.subarray(offset + 4, offset + 8));
    let header = 8;
    if (size === 1) {
      if (end - offset < 16) throw new Fmp4FormatError(`a truncated large box header at byte ${offset}`);
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = end - offset; // "to the end of the file"
    }
    if (size < header || offset + size > end) {
      throw new Fmp4FormatError(`box "${type}" at byte ${offset} claims ${size} bytes past its parent`);
    }
    yield { type, payloadStart: offset + header, end: offset + size };
    offset += size;
  }
}

function* boxesOfType(data: Uint8Array, type: string, start = 0, end = data.length): Generator<Box> {
  for (const box of boxesIn(data, start, end)) {
    if (box.type === type) yield box;
    if (CONTAINERS.has(box.type)) yield* boxesOfType(data, type, box.payloadStart, box.end);
  }
}

/** The timescale (ticks per second) of the init segment's one track, from its `mdhd`. */
export function readTrackTimescale(init: Uint8Array): number {
  const found = [...boxesOfType(init, 'mdhd')];
  if (found.length !== 1) {
    throw new Fmp4FormatError(`expected one track (mdhd) in the init segment, found ${found.length}`);
  }
  const { payloadStart } = found[0]!;
  const view = new DataView(init.buffer, init.byteOffset, init.byteLength);
  // version 1: 64-bit creation and modification times before the timescale; version 0: 32-bit.
  return view.getUint32(payloadStart + (init[payloadStart] === 1 ? 20 : 12));
}

/**
 * Moves a media segment to `startSeconds` on the stream's timeline, in place: adds the offset to
 * the decode time of every track fragment (`tfdt`, in the track's `timescale`) and to the earliest
 * presentation time of every segment index (`sidx`, in its own timescale) — ffmpeg's demuxer reads
 * the sidx time, hls.js the tfdt, so both must move or one reader sees time jump back at the join —
 * and renumbers the fragments (`mfhd` sequence numbers must keep increasing across the stream) from
 * `firstSequenceNumber`. Returns the number of fragments, so the next segment can go on from there.
 * A segment with no `tfdt` cannot be placed on the timeline and is refused.
 */
export function placeSegment(
  segment: Uint8Array,
  {
    startSeconds,
    timescale,
    firstSequenceNumber,
  }: { startSeconds: number; timescale: number; firstSequenceNumber: number },
): number {
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const ticks = (scale: number) => BigInt(Math.round(startSeconds * scale));
  let fragments = 0;
  for (const { payloadStart } of boxesOfType(segment, 'tfdt')) {
    addToTime(view, payloadStart + 4, segment[payloadStart] === 1, ticks(timescale), 'tfdt');
    fragments += 1;
  }
  if (fragments === 0)
    throw new Fmp4FormatError('the media segment has no track fragment decode time (tfdt)');
  for (const { payloadStart } of boxesOfType(segment, 'sidx')) {
    // version, flags (4 bytes), reference_ID (4), timescale (4), then earliest_presentation_time.
    const sidxTimescale = view.getUint32(payloadStart + 8);
    addToTime(view, payloadStart + 12, segment[payloadStart] === 1, ticks(sidxTimescale), 'sidx');
  }
  let sequence = firstSequenceNumber;
  for (const { payloadStart } of boxesOfType(segment, 'mfhd')) view.setUint32(payloadStart + 4, sequence++);
  return fragments;
}

/** Adds `delta` to a 64-bit (version 1) or 32-bit time field; a 32-bit one that would overflow is refused. */
function addToTime(view: DataView, at: number, wide: boolean, delta: bigint, box: string): void {
  if (wide) {
    view.setBigUint64(at, view.getBigUint64(at) + delta);
    return;
  }
  const shifted = BigInt(view.getUint32(at)) + delta;
  // A version 0 field holds 32 bits: at 90 kHz that is 13 hours; fail loudly rather than wrap.
  if (shifted > 0xffffffffn) throw new Fmp4FormatError(`a 32-bit ${box} time cannot hold the shifted time`);
  view.setUint32(at, Number(shifted));
}

/** The decode times of a segment's track fragments (for tests and checks). */
export function readDecodeTimes(segment: Uint8Array): bigint[] {
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  return [...boxesOfType(segment, 'tfdt')].map(({ payloadStart }) =>
    segment[payloadStart] === 1
      ? view.getBigUint64(payloadStart + 4)
      : BigInt(view.getUint32(payloadStart + 4)),
  );
}

/** The earliest presentation times of a segment's indexes (`sidx`), and its fragments' sequence numbers. */
export function readSegmentIndex(segment: Uint8Array): { sidxTimes: bigint[]; sequenceNumbers: number[] } {
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  return {
    sidxTimes: [...boxesOfType(segment, 'sidx')].map(({ payloadStart }) =>
      segment[payloadStart] === 1
        ? view.getBigUint64(payloadStart + 12)
        : BigInt(view.getUint32(payloadStart + 12)),
    ),
    sequenceNumbers: [...boxesOfType(segment, 'mfhd')].map(({ payloadStart }) =>
      view.getUint32(payloadStart + 4),
    ),
  };
}
