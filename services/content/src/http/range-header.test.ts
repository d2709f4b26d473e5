import { parseRangeHeader } from './range-header';

describe('parseRangeHeader', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=990-5000', { start: 990, end: 999 }],
    [' bytes=5-5 ', { start: 5, end: 5 }],
  ])('reads %s of a 1000-byte file', (header, range) => {
    expect(parseRangeHeader(header, 1000)).toEqual(range);
  });

  it.each(['bytes=1000-', 'bytes=1000-2000', 'bytes=-0'])(
    'calls %s unsatisfiable for a 1000-byte file',
    (header) => {
      expect(parseRangeHeader(header, 1000)).toBe('unsatisfiable');
    },
  );

  it.each([undefined, 'items=0-5', 'bytes=', 'bytes=-', 'bytes=5-1', 'bytes=0-1,5-9', 'bytes=a-b'])(
    'sends the whole file for %j',
    (header) => {
      expect(parseRangeHeader(header, 1000)).toBeNull();
    },
  );

  it('has nothing to offer from an empty file', () => {
    expect(parseRangeHeader('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRangeHeader('bytes=-1', 0)).toBe('unsatisfiable');
  });
});
