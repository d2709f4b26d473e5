import { planLadder } from './rendition-ladder';

const sizes = (source: { width: number; height: number }) =>
  planLadder(source).map(({ name, width, height }) => `${name} ${width}x${height}`);

describe('planLadder', () => {
  it('gives a 1080p source the full ladder', () => {
    expect(sizes({ width: 1920, height: 1080 })).toEqual([
      '360p 640x360',
      '540p 960x540',
      '720p 1280x720',
      '1080p 1920x1080',
    ]);
    expect(planLadder({ width: 1920, height: 1080 }).map((r) => r.videoBitrate)).toEqual([
      800_000, 1_400_000, 2_800_000, 5_000_000,
    ]);
  });

  it('never upscales: a 720p source stops at 720p', () => {
    expect(sizes({ width: 1280, height: 720 })).toEqual(['360p 640x360', '540p 960x540', '720p 1280x720']);
  });

  it('caps a 4K source at 1080p', () => {
    expect(sizes({ width: 3840, height: 2160 }).at(-1)).toBe('1080p 1920x1080');
    expect(planLadder({ width: 3840, height: 2160 })).toHaveLength(4);
  });

  it('gives a source below the lowest rung one rendition at its own size', () => {
    const ladder = planLadder({ width: 320, height: 240 });
    expect(ladder).toEqual([{ name: '240p', width: 320, height: 240, videoBitrate: expect.any(Number) }]);
    expect(ladder[0]!.videoBitrate).toBeLessThan(800_000);
    expect(ladder[0]!.videoBitrate).toBeGreaterThanOrEqual(150_000);
  });

  it('uses the short side of a portrait source', () => {
    expect(sizes({ width: 360, height: 640 })).toEqual(['360p 360x640']);
    expect(sizes({ width: 1080, height: 1920 })).toEqual([
      '360p 360x640',
      '540p 540x960',
      '720p 720x1280',
      '1080p 1080x1920',
    ]);
  });

  it('keeps a source well between rungs at its own size on top', () => {
    expect(sizes({ width: 854, height: 480 })).toEqual(['360p 640x360', '480p 854x480']);
    const top = planLadder({ width: 854, height: 480 }).at(-1)!;
    expect(top.videoBitrate).toBeGreaterThan(800_000);
    expect(top.videoBitrate).toBeLessThan(1_400_000);
  });

  it('does not add a near-duplicate of the rung just below the source', () => {
    expect(sizes({ width: 1066, height: 600 })).toEqual(['360p 640x360', '540p 960x540']);
  });

  it('makes every dimension even, also for odd sources', () => {
    for (const r of [
      ...planLadder({ width: 427, height: 241 }),
      ...planLadder({ width: 1000, height: 563 }),
    ]) {
      expect(r.width % 2).toBe(0);
      expect(r.height % 2).toBe(0);
    }
    expect(sizes({ width: 427, height: 241 })).toEqual(['240p 426x240']);
  });

  it('never makes a rendition larger than the source on either side', () => {
    for (const source of [
      { width: 640, height: 360 },
      { width: 641, height: 361 },
      { width: 360, height: 640 },
      { width: 720, height: 540 },
    ]) {
      for (const r of planLadder(source)) {
        expect(r.width).toBeLessThanOrEqual(source.width);
        expect(r.height).toBeLessThanOrEqual(source.height);
      }
    }
  });
});
