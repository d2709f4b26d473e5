import { execFileSync } from 'node:child_process';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import { FfmpegFailure, runFfmpeg } from './run-ffmpeg';

// Real ffmpeg on a generated source writing nowhere (-f null): what matters is how runs end.
const { ffmpeg } = resolveFfmpegBinaries();
const encode = (seconds: number) => [
  '-nostdin',
  '-hide_banner',
  '-loglevel',
  'error',
  '-progress',
  'pipe:1',
  '-f',
  'lavfi',
  '-i',
  `testsrc=size=640x360:rate=25:duration=${seconds}`,
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-f',
  'null',
  '-',
];

/** ffmpeg processes still running with `marker` in their arguments. */
function runningWith(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(marker) && line.includes('ffmpeg'));
}

describe('runFfmpeg', () => {
  it('resolves on success and reports the encoded media time', async () => {
    const seen: number[] = [];
    await runFfmpeg({
      binary: ffmpeg,
      args: encode(1),
      timeLimitMs: 30_000,
      signal: new AbortController().signal,
      onProgress: (s) => seen.push(s),
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeCloseTo(1, 0);
  });

  it('kills ffmpeg at the time limit', async () => {
    const marker = 'duration=3600';
    const started = Date.now();
    const run = runFfmpeg({
      binary: ffmpeg,
      args: encode(3600),
      timeLimitMs: 700,
      signal: new AbortController().signal,
      onProgress: () => undefined,
    });
    await expect(run).rejects.toMatchObject({ kind: 'time-limit' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(runningWith(marker)).toEqual([]);
  });

  it('kills ffmpeg on abort and rejects with the abort reason', async () => {
    const controller = new AbortController();
    const run = runFfmpeg({
      binary: ffmpeg,
      args: encode(3599),
      timeLimitMs: 60_000,
      signal: controller.signal,
      onProgress: () => undefined,
    });
    setTimeout(() => controller.abort(new Error('shutting down')), 300);
    await expect(run).rejects.toThrow('shutting down');
    expect(runningWith('duration=3599')).toEqual([]);
  });

  it('reports a failing run with ffmpeg’s last error line', async () => {
    const run = runFfmpeg({
      binary: ffmpeg,
      args: ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'nosuchfilter', '-f', 'null', '-'],
      timeLimitMs: 30_000,
      signal: new AbortController().signal,
      onProgress: () => undefined,
    });
    const error = await run.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(FfmpegFailure);
    expect(error).toMatchObject({
      kind: 'exited',
      message: expect.stringMatching(/^ffmpeg exited with code \d+: .+/),
    });
  });
});
