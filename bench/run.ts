import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './harness';
import { coursesEnrollBench, coursesListBench } from './courses.bench';
import { chunkedLectureBench, chunkedOverheadBench, chunkedStitchBench } from './chunked.bench';
import { firstPlayableBench } from './preview.bench';
import { contentUploadMemoryBench, contentUploadThroughputBench } from './content.bench';
import { eventLatencyEmbeddedBench, eventLatencyKafkaBench } from './events.bench';
import { kitOverheadBench } from './kit-overhead.bench';
import { operatorBacklogBench, operatorBurstBench, operatorLatencyBench } from './operator.bench';
import { smoke } from './profile';
import { writeResultsTable } from './results-table';
import { scaleEnrollBench, scaleListBench } from './scale.bench';
import { startupBench } from './startup.bench';
import {
  transcoderOverheadBench,
  transcoderSpeedupBench,
  transcoderThroughputBench,
} from './transcoder.bench';

/**
 * `make bench`: runs every benchmark (or those whose name contains the first argument) and prints
 * ratios; `--smoke` (or BENCH_SMOKE=1) runs them tiny, only to prove they still run to the end.
 * One bench failing does not stop the others. Output: one summary line per goal (MET, MISS, or
 * FAIL with the error), bench/results/latest.json (smoke.json in smoke mode), and, after a full
 * run of every bench, bench/RESULTS.md. Exit code: non-zero if any bench failed, or missed its
 * goal in a full run. Bounded: each measurement runs a fixed time against 127.0.0.1 only.
 */
const BENCHES: Record<string, () => Promise<BenchResult>> = {
  'kit-overhead': kitOverheadBench,
  // Both measured in one run (the second reuses the first's timings).
  'transcoder-overhead': transcoderOverheadBench,
  'transcoder-speedup': transcoderSpeedupBench,
  'transcoder-throughput': transcoderThroughputBench,
  // All three measured in one run (chunks, the audio once, the stitch, and one pass beside them).
  'chunked-stitch': chunkedStitchBench,
  'chunked-overhead': chunkedOverheadBench,
  'chunked-lecture': chunkedLectureBench,
  'preview-first-playable': firstPlayableBench,
  // Both measured in one run (the second reuses the first's upload).
  'content-upload-memory': contentUploadMemoryBench,
  'content-upload-throughput': contentUploadThroughputBench,
  'dev-cold-start': startupBench,
  'courses-enroll': coursesEnrollBench,
  'courses-list': coursesListBench,
  // Both measured in one run: the small database first, then the same tables bulk-loaded.
  'courses-scale-list': scaleListBench,
  'courses-scale-enroll': scaleEnrollBench,
  // Both measured in one run against one PostgreSQL and one Kafka broker.
  'events-latency-kafka': eventLatencyKafkaBench,
  'events-latency-embedded': eventLatencyEmbeddedBench,
  // All three measured in one run against one control plane (the others reuse the first's).
  'operator-latency': operatorLatencyBench,
  'operator-backlog': operatorBacklogBench,
  'operator-burst': operatorBurstBench,
};

export interface BenchOutcome {
  id: string;
  result?: BenchResult;
  error?: string;
  seconds: number;
}

export interface BenchReport {
  mode: 'full' | 'smoke';
  startedAt: string;
  commit: string;
  machine: {
    cores: number;
    memoryGiB: number;
    loadAverageAtStart: number[];
    loadAverageAtEnd?: number[];
    node: string;
  };
  outcomes: BenchOutcome[];
}

async function main(): Promise<number> {
  const filter = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  const report: BenchReport = {
    mode: smoke ? 'smoke' : 'full',
    startedAt: new Date().toISOString(),
    commit: gitCommit(),
    machine: {
      cores: cpus().length,
      memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
      node: process.version,
    },
    outcomes: [],
  };
  console.log(
    `bench ${report.mode} run on ${report.machine.cores} cores, load ${report.machine.loadAverageAtStart.join(' ')}, commit ${report.commit}`,
  );
  for (const [id, bench] of Object.entries(BENCHES)) {
    if (filter && !id.includes(filter)) continue;
    console.log(`running ${id}...`);
    const started = Date.now();
    try {
      const result = await bench();
      report.outcomes.push({ id, result, seconds: (Date.now() - started) / 1000 });
      printResult(result);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      report.outcomes.push({ id, error, seconds: (Date.now() - started) / 1000 });
      console.log(`\n${id} FAILED\n  ${error.replaceAll('\n', '\n  ')}`);
    }
  }

  report.machine.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  console.log('\nsummary');
  for (const line of summaryLines(report)) console.log(`  ${line}`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const jsonFile = join(dir, smoke ? 'smoke.json' : 'latest.json');
  writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nresults: ${jsonFile}`);
  if (!smoke && !filter) {
    writeResultsTable(report, join(__dirname, 'RESULTS.md'));
    console.log(`table: ${join(__dirname, 'RESULTS.md')}`);
  }
  const failed = report.outcomes.filter((o) => o.error).length;
  const missed = report.outcomes.filter((o) => o.result && !o.result.met).length;
  return failed > 0 || (!smoke && missed > 0) ? 1 : 0;
}

/** One line per bench: MET/MISS with its ratio and goal (SMOKE OK in smoke mode), or FAIL. */
export function summaryLines(report: BenchReport): string[] {
  return report.outcomes.map(({ id, result, error }) => {
    if (!result) return `FAIL ${id}: ${error?.split('\n')[0] ?? 'no result'}`;
    const verdict = report.mode === 'smoke' ? 'SMOKE OK' : result.met ? 'MET ' : 'MISS';
    return `${verdict} ${result.name}: ratio ${result.ratio.toFixed(2)} (goal ${result.goal})`;
  });
}

function printResult(r: BenchResult): void {
  console.log(
    `\n${r.name}\n  baseline:  ${r.baseline}\n  candidate: ${r.candidate}\n  ratio:     ${r.ratio.toFixed(2)} (goal ${r.goal}) ${r.met ? 'met' : 'NOT met'}\n  ${r.details}`,
  );
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

// Exits explicitly: a bench may leave a handle open (a pool, a timer) that would keep the process
// alive, and the exit code must say whether any bench failed or missed.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
