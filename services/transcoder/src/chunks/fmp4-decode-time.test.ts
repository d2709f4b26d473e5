import {
  Fmp4FormatError,
  placeSegment,
  readDecodeTimes,
  readSegmentIndex,
  readTrackTimescale,
} from './fmp4-decode-time';

// Hand-built boxes: size (4 bytes, big-endian), type, payload.
function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set(Buffer.from(type, 'latin1'), 4);
  let at = 8;
  for (const p of payload) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const bytes = (...values: number[]) => Uint8Array.from(values);
function tfdt(version: 0 | 1, time: bigint): Uint8Array {
  const payload = new Uint8Array(version === 1 ? 12 : 8);
  const view = new DataView(payload.buffer);
  view.setUint8(0, version);
  if (version === 1) view.setBigUint64(4, time);
  else view.setUint32(4, Number(time));
  return box('tfdt', payload);
}
function mdhd(version: 0 | 1, timescale: number): Uint8Array {
  const payload = new Uint8Array(version === 1 ? 32 : 20);
  const view = new DataView(payload.buffer);
  view.setUint8(0, version);
  view.setUint32(version === 1 ? 20 : 12, timescale);
  return box('mdhd', payload);
}
function sidx(version: 0 | 1, timescale: number, earliest: bigint): Uint8Array {
  const payload = new Uint8Array(version === 1 ? 32 : 24);
  const view = new DataView(payload.buffer);
  view.setUint8(0, version);
  view.setUint32(4, 1); // reference_ID
  view.setUint32(8, timescale);
  if (version === 1) view.setBigUint64(12, earliest);
  else view.setUint32(12, Number(earliest));
  return box('sidx', payload);
}
function mfhd(sequence: number): Uint8Array {
  const payload = new Uint8Array(8);
  new DataView(payload.buffer).setUint32(4, sequence);
  return box('mfhd', payload);
}
/** A segment as ffmpeg writes it: styp, sidx, then per fragment moof(mfhd, traf(tfdt)) and mdat. */
const segment = (index: Uint8Array | null, ...fragments: Uint8Array[]) =>
  Buffer.concat([
    box('styp', bytes(1, 2, 3, 4)),
    ...(index ? [index] : []),
    ...fragments.flatMap((f, i) => [box('moof', mfhd(i + 1), box('traf', f)), box('mdat', bytes(9, 9))]),
  ]);
const at6s = { startSeconds: 6, timescale: 15360, firstSequenceNumber: 4 };

describe('fMP4 decode times', () => {
  it('reads the track timescale from a version 0 or 1 mdhd', () => {
    for (const version of [0, 1] as const) {
      const init = Buffer.concat([
        box('ftyp', bytes(0)),
        box('moov', box('trak', box('mdia', mdhd(version, 15360)))),
      ]);
      expect(readTrackTimescale(init)).toBe(15360);
    }
  });

  it('refuses an init segment with no or several tracks', () => {
    expect(() => readTrackTimescale(box('moov'))).toThrow(Fmp4FormatError);
    const two = box('moov', box('trak', box('mdia', mdhd(0, 1))), box('trak', box('mdia', mdhd(0, 2))));
    expect(() => readTrackTimescale(two)).toThrow(/found 2/);
  });

  it('moves every fragment (tfdt) and the segment index (sidx, in its own timescale), 32- and 64-bit', () => {
    const data = segment(sidx(1, 15360, 1024n), tfdt(0, 0n), tfdt(1, 30720n));
    expect(placeSegment(data, at6s)).toBe(2);
    expect(readDecodeTimes(data)).toEqual([92160n, 122880n]);
    expect(readSegmentIndex(data).sidxTimes).toEqual([93184n]);

    const other = segment(sidx(0, 1000, 66n), tfdt(0, 0n));
    placeSegment(other, at6s);
    expect(readSegmentIndex(other).sidxTimes).toEqual([6066n]); // 6 s at the sidx's 1 kHz
  });

  it('renumbers the fragments from the given sequence number and leaves every other byte alone', () => {
    const data = segment(sidx(1, 15360, 0n), tfdt(0, 0n), tfdt(0, 512n), tfdt(0, 1024n));
    const before = Buffer.from(data);
    placeSegment(data, { ...at6s, startSeconds: 0 });
    expect(readSegmentIndex(data).sequenceNumbers).toEqual([4, 5, 6]);
    const changed = [...data].flatMap((b, i) => (b === before[i] ? [] : [i]));
    // Only the low bytes of the three sequence numbers (1→4, 2→5, 3→6).
    expect(changed).toHaveLength(3);
  });

  it('refuses a segment with no tfdt, a truncated box, and a 32-bit overflow', () => {
    expect(() => placeSegment(segment(null), at6s)).toThrow(/no track fragment decode time/);
    const cut = segment(null, tfdt(0, 0n)).subarray(0, 20);
    expect(() => placeSegment(cut, at6s)).toThrow(Fmp4FormatError);
    expect(() => placeSegment(segment(null, tfdt(0, 0xfffffff0n)), at6s)).toThrow(/32-bit tfdt/);
  });
});
