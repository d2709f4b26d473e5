import { Fmp4FormatError, readDecodeTimes, readTrackTimescale, shiftDecodeTimes } from './fmp4-decode-time';

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
const segment = (...fragments: Uint8Array[]) =>
  Buffer.concat([
    box('styp', bytes(1, 2, 3, 4)),
    ...fragments.map((f) => box('moof', box('traf', f))),
    box('mdat', bytes(9, 9)),
  ]);

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

  it('shifts every fragment of a segment, 32- and 64-bit, and leaves every other byte alone', () => {
    const data = segment(tfdt(0, 30720n), tfdt(1, 61440n));
    const before = Buffer.from(data);
    expect(shiftDecodeTimes(data, 92160n)).toBe(2);
    expect(readDecodeTimes(data)).toEqual([122880n, 153600n]);
    const changed = [...data].flatMap((b, i) => (b === before[i] ? [] : [i]));
    // Only bytes inside the two tfdt values changed.
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThanOrEqual(4 + 8);
  });

  it('refuses a segment with no tfdt, a truncated box, and a 32-bit overflow', () => {
    expect(() => shiftDecodeTimes(segment(), 1n)).toThrow(/no track fragment decode time/);
    const cut = segment(tfdt(0, 0n)).subarray(0, 20);
    expect(() => shiftDecodeTimes(cut, 1n)).toThrow(Fmp4FormatError);
    expect(() => shiftDecodeTimes(segment(tfdt(0, 0xfffffff0n)), 0x100n)).toThrow(/32-bit/);
  });
});
