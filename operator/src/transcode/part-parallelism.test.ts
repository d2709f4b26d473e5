import { partParallelismFor } from './part-parallelism';

describe('the parallelism of a chunked transcode’s parts', () => {
  test('alone in the queue: everything it asks for (the spec, else the default), never more than its parts', () => {
    expect(partParallelismFor({ parts: 62, defaultParallelism: 8, waiting: 0 })).toBe(8);
    expect(partParallelismFor({ parts: 62, requested: 16, defaultParallelism: 8, waiting: 0 })).toBe(16);
    expect(partParallelismFor({ parts: 9, requested: 50, defaultParallelism: 8, waiting: 0 })).toBe(9);
    // No default configured and no ask: every part at once.
    expect(partParallelismFor({ parts: 9, waiting: 0 })).toBe(9);
  });

  test('with Q others waiting: floor(asked / (1 + Q)), at least 1', () => {
    expect(partParallelismFor({ parts: 62, defaultParallelism: 8, waiting: 1 })).toBe(4);
    expect(partParallelismFor({ parts: 62, defaultParallelism: 8, waiting: 2 })).toBe(2); // 8/3
    expect(partParallelismFor({ parts: 62, defaultParallelism: 8, waiting: 3 })).toBe(2);
    expect(partParallelismFor({ parts: 62, defaultParallelism: 8, waiting: 7 })).toBe(1);
    expect(partParallelismFor({ parts: 62, defaultParallelism: 8, waiting: 500 })).toBe(1);
    expect(partParallelismFor({ parts: 62, requested: 16, defaultParallelism: 8, waiting: 3 })).toBe(4);
  });

  test('never above what the spec asks, however empty the queue or large the default', () => {
    for (let waiting = 0; waiting < 20; waiting++) {
      for (const requested of [1, 2, 3, 7, 100]) {
        const p = partParallelismFor({ parts: 200, requested, defaultParallelism: 64, waiting });
        expect(p).toBeLessThanOrEqual(requested);
        expect(p).toBeGreaterThanOrEqual(1);
      }
    }
  });

  test('a deeper queue never gives more', () => {
    let previous = Infinity;
    for (let waiting = 0; waiting < 40; waiting++) {
      const p = partParallelismFor({ parts: 62, defaultParallelism: 12, waiting });
      expect(p).toBeLessThanOrEqual(previous);
      previous = p;
    }
  });

  test('a nonsensical queue depth counts as none', () => {
    expect(partParallelismFor({ parts: 62, defaultParallelism: 8, waiting: -3 })).toBe(8);
  });
});
