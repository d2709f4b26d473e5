import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const PREFIX = 'transcode-';

/**
 * Runs `work` in a fresh folder under `parent` and removes the folder afterwards, whether `work`
 * succeeded, failed, hit the time limit or was aborted by a shutdown.
 */
export async function withWorkDir<T>(parent: string, work: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, PREFIX));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Removes work folders a killed process left behind (SIGKILL leaves no chance to clean up). Only
 * folders older than the longest a run may take: a live run of another worker sharing `parent` is
 * younger than that by construction.
 */
export async function sweepStaleWorkDirs(
  parent: string,
  olderThanMs: number,
  now = Date.now(),
): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names.filter((n) => n.startsWith(PREFIX))) {
    const path = join(parent, name);
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory() && now - info.mtimeMs > olderThanMs) {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}
