/**
 * How big a benchmark run is. `make bench` measures at full size on a quiet machine; the smoke
 * mode (`make bench-smoke`, BENCH_SMOKE=1, run by `make test`) runs every bench with tiny sizes and
 * one short round, proving only that each still runs to the end and prints its result line, so a
 * bench that rots fails CI the same day instead of on the next quiet-machine run.
 */
export const smoke = process.env.BENCH_SMOKE === '1' || process.argv.includes('--smoke');

/** The full-size value, or the smoke one. */
export function sized<T>(full: T, smokeValue: T): T {
  return smoke ? smokeValue : full;
}
