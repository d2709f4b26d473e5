import { writeFileSync } from 'node:fs';
import type { BenchReport } from './run';

/**
 * bench/RESULTS.md: the latest full run as a table a person reads, with the machine, date and
 * commit it was measured on. Written after a full `make bench` of every bench; commit it when the
 * machine was quiet (load average near 0 at start), so the table says what the code can do.
 */
export function writeResultsTable(report: BenchReport, file: string): void {
  const { machine } = report;
  const rows = report.outcomes.map(({ id, result, error }) =>
    result
      ? `| ${result.name} | ${result.goal} | ${result.ratio.toFixed(2)} | ${result.met ? 'MET' : 'MISS'} | ${cell(result.candidate)} | ${cell(result.baseline)} |`
      : `| ${id} | | | FAIL | ${cell(error?.split('\n')[0] ?? '')} | |`,
  );
  const text = [
    '# Benchmark results',
    '',
    `Measured ${report.startedAt.slice(0, 10)} on commit \`${report.commit}\`: ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
      `load average at start ${machine.loadAverageAtStart.join(' / ')}` +
      (machine.loadAverageAtEnd ? `, at end ${machine.loadAverageAtEnd.join(' / ')}` : '') +
      `, Node ${machine.node}. ` +
      'Written by `make bench` (all benches, full size); the JSON with every percentile is bench/results/latest.json.',
    '',
    '| bench | goal | ratio | verdict | candidate | baseline |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(file, text);
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
