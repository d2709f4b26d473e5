import { compare, formatMeasurement, measure, startServerProcess, type BenchResult } from './harness';

/** Issue 2: the kit's middleware must stay cheap — goal ≥ 80% of bare Express's req/s. */
export async function kitOverheadBench(): Promise<BenchResult> {
  const bare = await startServerProcess(`${__dirname}/servers/bare-express.ts`);
  const kit = await startServerProcess(`${__dirname}/servers/kit-app.ts`);
  try {
    const path = '/api/v1/bench/ping';
    const { baseline, candidate } = await compare(
      () => measure({ url: bare.url + path }),
      () => measure({ url: kit.url + path }),
    );
    const ratio = candidate.requestsPerSecond / baseline.requestsPerSecond;
    return {
      name: 'kit app factory vs bare Express (GET JSON)',
      baseline: formatMeasurement(baseline),
      candidate: formatMeasurement(candidate),
      ratio,
      goal: '≥ 0.80',
      met: ratio >= 0.8,
      measurements: { baseline, candidate },
      details:
        'kit: request id + security headers + latency histogram + JSON body guard + problem handler (access log off: LOG_LEVEL=warn)',
    };
  } finally {
    await Promise.all([bare.stop(), kit.stop()]);
  }
}
