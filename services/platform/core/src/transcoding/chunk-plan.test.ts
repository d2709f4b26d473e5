import { chunksFor, partCountOf, planChunks } from './chunk-plan';

describe('planChunks', () => {
  it('cuts on whole segments and lets the last chunk read to the end', () => {
    expect(planChunks(14, { chunkSeconds: 6 })).toEqual([
      { index: 0, startSeconds: 0, durationSeconds: 6 },
      { index: 1, startSeconds: 6, durationSeconds: 6 },
      { index: 2, startSeconds: 12, durationSeconds: null },
    ]);
  });

  it('rounds the chunk length down to whole segments, at least one', () => {
    expect(planChunks(10, { chunkSeconds: 5 }).map((c) => c.startSeconds)).toEqual([0, 4, 8]);
    expect(planChunks(5, { chunkSeconds: 1 }).map((c) => c.startSeconds)).toEqual([0, 2]); // the last 1 s rides with the second chunk
  });

  it('folds a tail shorter than a segment into the chunk before it', () => {
    expect(planChunks(12.5, { chunkSeconds: 6 })).toEqual([
      { index: 0, startSeconds: 0, durationSeconds: 6 },
      { index: 1, startSeconds: 6, durationSeconds: null },
    ]);
  });

  it('is one chunk when the source is short or its length unknown', () => {
    expect(planChunks(6, { chunkSeconds: 6 })).toEqual([
      { index: 0, startSeconds: 0, durationSeconds: null },
    ]);
    expect(planChunks(null, { chunkSeconds: 6 })).toHaveLength(1);
    expect(planChunks(Number.NaN, { chunkSeconds: 6 })).toHaveLength(1);
  });

  it('covers a long lecture with no gap and no overlap', () => {
    const chunks = planChunks(3600.4, { chunkSeconds: 120 });
    expect(chunks).toHaveLength(30);
    chunks.forEach((c, i) => {
      expect(c.index).toBe(i);
      expect(c.startSeconds).toBe(i * 120);
      expect(c.durationSeconds).toBe(i === 29 ? null : 120);
    });
  });

  it('chunks only above the threshold, never with a threshold of 0, and counts the preview and the audio as parts too', () => {
    const settings = { thresholdSeconds: 300, chunkSeconds: 60 };
    expect(chunksFor(300, settings)).toBeNull();
    expect(chunksFor(null, settings)).toBeNull();
    expect(chunksFor(3600, { ...settings, thresholdSeconds: 0 })).toBeNull();
    expect(chunksFor(3600, undefined)).toBeNull();
    const chunks = chunksFor(301, settings)!;
    expect(chunks.map((c) => c.startSeconds)).toEqual([0, 60, 120, 180, 240]);
    expect(partCountOf(chunks)).toBe(7); // the preview, 5 chunks, the audio
  });
});
