import {
  describeEncodedExtent,
  encodedExtentOf,
  followEncodedExtent,
  formatClock,
} from '../src/lib/encoded-extent';

const segments = (...durations: number[]) => durations.map((duration) => ({ duration }));

describe('how far a growing preview is encoded', () => {
  test('the listed segments’ durations against the video’s', () => {
    const extent = encodedExtentOf({ fragments: segments(...Array(100).fill(2)), live: true }, 3480);
    expect(extent).toEqual({ encodedSeconds: 200, totalSeconds: 3480, complete: false });
    expect(describeEncodedExtent(extent)).toBe('Encoded up to 3:20 of 58:00');
  });

  test('uneven and odd durations add up; never more than the whole video', () => {
    expect(
      encodedExtentOf({ fragments: segments(2, 2, 1.5, 0.04), live: true }, 60).encodedSeconds,
    ).toBeCloseTo(5.54);
    expect(encodedExtentOf({ fragments: segments(2, 2, 2.1), live: true }, 6).encodedSeconds).toBe(6);
    // A broken duration counts as nothing rather than NaN.
    expect(encodedExtentOf({ fragments: segments(2, NaN, -1, 2), live: true }, 60).encodedSeconds).toBe(4);
  });

  test('nothing listed yet, or the duration unknown', () => {
    expect(describeEncodedExtent(encodedExtentOf({ fragments: [], live: true }, 125))).toBe(
      'Encoded up to 0:00 of 2:05',
    );
    expect(describeEncodedExtent(encodedExtentOf({ fragments: segments(2, 2), live: true }, null))).toBe(
      'Encoded up to 0:04 so far',
    );
    expect(encodedExtentOf({ fragments: segments(2), live: true }, 0).totalSeconds).toBeNull();
  });

  test('once the playlist is closed (EXT-X-ENDLIST) there is nothing to say', () => {
    const extent = encodedExtentOf({ fragments: segments(2, 2), live: false }, 4);
    expect(extent.complete).toBe(true);
    expect(describeEncodedExtent(extent)).toBeNull();
    expect(describeEncodedExtent(null)).toBeNull();
  });

  test('clock format: m:ss under an hour, h:mm:ss above, rounded down', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(59.99)).toBe('0:59');
    expect(formatClock(200)).toBe('3:20');
    expect(formatClock(3480)).toBe('58:00');
    expect(formatClock(3725.5)).toBe('1:02:05');
    expect(formatClock(-3)).toBe('0:00');
  });
});

describe('following hls.js’s playlist updates', () => {
  test('each LEVEL_UPDATED gives the extent; unsubscribing stops it', () => {
    const listeners = new Map<string, (event: string, data: unknown) => void>();
    const hls = {
      on: (event: string, listener: (event: string, data: unknown) => void) => listeners.set(event, listener),
      off: (event: string) => listeners.delete(event),
    };
    const seen: string[] = [];
    const stop = followEncodedExtent(
      hls as never,
      { LEVEL_UPDATED: 'hlsLevelUpdated' as never },
      10,
      (extent) => seen.push(describeEncodedExtent(extent) ?? 'complete'),
    );
    const update = (live: boolean, ...d: number[]) =>
      listeners.get('hlsLevelUpdated')!('hlsLevelUpdated', {
        level: 0,
        details: { fragments: segments(...d), live },
      });
    update(true, 2);
    update(true, 2, 2);
    update(false, 2, 2, 2, 2, 2);
    expect(seen).toEqual(['Encoded up to 0:02 of 0:10', 'Encoded up to 0:04 of 0:10', 'complete']);
    stop();
    expect(listeners.size).toBe(0);
  });
});
