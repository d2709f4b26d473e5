import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepStaleWorkDirs, withWorkDir } from './work-dir';

const parent = mkdtempSync(join(tmpdir(), 'work-dir-test-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('withWorkDir', () => {
  it('removes the folder after success', async () => {
    let seen = '';
    const result = await withWorkDir(parent, async (dir) => {
      seen = dir;
      writeFileSync(join(dir, 'out.m4s'), 'x');
      return 42;
    });
    expect(result).toBe(42);
    expect(existsSync(seen)).toBe(false);
  });

  it('removes the folder after a failure and rethrows', async () => {
    let seen = '';
    await expect(
      withWorkDir(parent, async (dir) => {
        seen = dir;
        mkdirSync(join(dir, 'v0'));
        throw new Error('ffmpeg failed');
      }),
    ).rejects.toThrow('ffmpeg failed');
    expect(existsSync(seen)).toBe(false);
  });
});

describe('sweepStaleWorkDirs', () => {
  it('removes only work folders older than the limit', async () => {
    const old = join(parent, 'transcode-old');
    const fresh = join(parent, 'transcode-fresh');
    const other = join(parent, 'not-ours');
    for (const dir of [old, fresh, other]) mkdirSync(dir);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);
    utimesSync(other, twoHoursAgo, twoHoursAgo);

    expect(await sweepStaleWorkDirs(parent, 3600_000)).toEqual([old]);
    expect([existsSync(old), existsSync(fresh), existsSync(other)]).toEqual([false, true, true]);
  });

  it('tolerates a missing parent', async () => {
    expect(await sweepStaleWorkDirs(join(parent, 'missing'), 1)).toEqual([]);
  });
});
