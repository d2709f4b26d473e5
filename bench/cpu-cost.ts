import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { medianBy } from './median';

/** Wall-clock time, and CPU time of this process plus its children (ffmpeg, ffprobe). */
export interface Cost {
  wallMs: number;
  cpuMs: number;
}

/**
 * On a shared machine wall time swings with the neighbours' load, so CPU time is reported beside it:
 * this process's own (the pipeline's JavaScript) plus its waited-for children's, which Linux keeps
 * in /proc/self/stat (cutime, cstime).
 */
export async function cost(work: () => Promise<void>): Promise<Cost> {
  const cpuBefore = cpuMs();
  const start = performance.now();
  await work();
  return { wallMs: performance.now() - start, cpuMs: cpuMs() - cpuBefore };
}

const CLOCK_TICKS_PER_SECOND =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function cpuMs(): number {
  const own = process.cpuUsage();
  // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const childTicks = Number(fields[13]) + Number(fields[14]);
  return (own.user + own.system) / 1000 + (childTicks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The median of several costs, by wall time. */
export function medianCost(values: Cost[]): Cost {
  return medianBy(values, (c) => c.wallMs)!;
}

export function formatCost(c: Cost): string {
  return `${(c.wallMs / 1000).toFixed(1)} s wall, ${(c.cpuMs / 1000).toFixed(1)} s CPU`;
}
