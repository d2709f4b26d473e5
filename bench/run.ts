import type { BenchResult } from './harness';
import { coursesEnrollBench, coursesListBench } from './courses.bench';
import { contentUploadMemoryBench } from './content.bench';
import { kitOverheadBench } from './kit-overhead.bench';
import { operatorBacklogBench, operatorBurstBench, operatorLatencyBench } from './operator.bench';
import { transcoderOverheadBench, transcoderSpeedupBench } from './transcoder.bench';

/**
 * `make bench`: runs every benchmark (or those whose name contains argv[2]) and prints ratios.
 * Bounded: each measurement runs a fixed number of seconds against 127.0.0.1 only.
 */
const BENCHES: Record<string, () => Promise<BenchResult>> = {
  'kit-overhead': kitOverheadBench,
  // Both measured in one run (the second reuses the first's timings).
  'transcoder-overhead': transcoderOverheadBench,
  'transcoder-speedup': transcoderSpeedupBench,
  'content-upload-memory': contentUploadMemoryBench,
  'courses-enroll': coursesEnrollBench,
  'courses-list': coursesListBench,
  // All three measured in one run against one control plane (the others reuse the first's).
  'operator-latency': operatorLatencyBench,
  'operator-backlog': operatorBacklogBench,
  'operator-burst': operatorBurstBench,
};

async function main(): Promise<void> {
  const filter = process.argv[2];
  const results: BenchResult[] = [];
  for (const [name, bench] of Object.entries(BENCHES)) {
    if (filter && !name.includes(filter)) continue;
    console.log(`running ${name}...`);
    const result = await bench();
    results.push(result);
    printResult(result);
  }
  console.log('\nsummary');
  for (const r of results) console.log(`  ${r.met ? 'MET ' : 'MISS'} ${r.name}: ratio ${r.ratio.toFixed(2)} (goal ${r.goal})`);
}

function printResult(r: BenchResult): void {
  console.log(`\n${r.name}\n  baseline:  ${r.baseline}\n  candidate: ${r.candidate}\n  ratio:     ${r.ratio.toFixed(2)} (goal ${r.goal}) ${r.met ? 'met' : 'NOT met'}\n  ${r.details}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
