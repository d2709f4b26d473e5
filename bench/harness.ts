import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { medianBy } from './median';
import { sized } from './profile';

/**
 * Benchmarks compare a candidate to a baseline measured side by side in the same run, on the same
 * machine, so only the ratio matters (docs/architecture.md#test-tiers). They print; they never gate CI.
 */
export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface BenchResult {
  name: string;
  baseline: string;
  candidate: string;
  ratio: number;
  goal: string;
  met: boolean;
  details: string;
  /** The numbers behind baseline and candidate (req/s and latency percentiles), for the JSON report. */
  measurements?: Record<string, Measurement | Record<string, number>>;
}

export interface ServerProcess {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Node flags for the processes a bench measures (its servers, the `make dev` launcher), to find
 * where a missed goal's time goes:
 * - BENCH_CPU_PROF=<dir>: each writes a V8 CPU profile there on exit (Chrome DevTools, speedscope);
 * - BENCH_NODE_FLAGS: more flags, space-separated (e.g. `--trace-gc`).
 */
export function serverNodeFlags(): string[] {
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  return [...profile, ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
}

/** Runs a server script (TypeScript via tsx) in its own process, so the load generator doesn't share its event loop. */
export async function startServerProcess(
  script: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...serverNodeFlags(), '--import', 'tsx', script], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not report a port within 30 s`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /LISTENING (http:\/\/\S+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    url,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export async function measure(
  options: { url: string; connections?: number; durationSeconds?: number } & Partial<autocannon.Options>,
): Promise<Measurement> {
  const { url, connections = 50, durationSeconds = sized(5, 1), ...rest } = options;
  const result = await autocannon({ url, connections, duration: durationSeconds, ...rest });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/**
 * Warms both sides up once (JIT, connection pools, caches; not counted), then alternates baseline
 * and candidate `rounds` times and keeps the median of each, to cancel drift.
 */
export async function compare(
  baseline: () => Promise<Measurement>,
  candidate: () => Promise<Measurement>,
  rounds = sized(5, 1),
): Promise<{ baseline: Measurement; candidate: Measurement }> {
  await baseline();
  await candidate();
  const b: Measurement[] = [];
  const c: Measurement[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await baseline());
    c.push(await candidate());
  }
  const byThroughput = (m: Measurement) => m.requestsPerSecond;
  return { baseline: medianBy(b, byThroughput)!, candidate: medianBy(c, byThroughput)! };
}

export function formatMeasurement(m: Measurement): string {
  return `${Math.round(m.requestsPerSecond)} req/s, p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms${m.errors ? `, ${m.errors} errors` : ''}`;
}
