/**
 * Just enough ISO BMFF (MP4) walking to stitch chunks: read a track's timescale from an init
 * segment, and move a media segment along the timeline by adding to every `tfdt` (the decode time
 * of a track fragment's first sample). ffmpeg's static build here has no `-hls_segment_options`,
 * so it cannot be told to start a chunk's fragments at the chunk's place in the source; each chunk
 * is encoded from 0 and shifted here instead (cheap: a few bytes per fragment, no re-encode).
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
 * Adds `deltaTicks` (in the track's timescale) to the base media decode time of every track
 * fragment of a media segment, in place; returns the number of fragments moved. A segment with no
 * `tfdt` cannot be placed on the timeline and is refused.
 */
export function shiftDecodeTimes(segment: Uint8Array, deltaTicks: bigint): number {
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  let moved = 0;
  for (const { payloadStart } of boxesOfType(segment, 'tfdt')) {
    const at = payloadStart + 4; // after version (1 byte) and flags (3 bytes)
    if (segment[payloadStart] === 1) {
      view.setBigUint64(at, view.getBigUint64(at) + deltaTicks);
    } else {
      const shifted = BigInt(view.getUint32(at)) + deltaTicks;
      // A version 0 tfdt holds 32 bits: at 90 kHz that is 13 hours; fail loudly rather than wrap.
      if (shifted > 0xffffffffn)
        throw new Fmp4FormatError('a 32-bit tfdt cannot hold the shifted decode time');
      view.setUint32(at, Number(shifted));
    }
    moved += 1;
  }
  if (moved === 0) throw new Fmp4FormatError('the media segment has no track fragment decode time (tfdt)');
  return moved;
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
