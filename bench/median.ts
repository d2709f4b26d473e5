/**
 * The middle element of `values` ordered by `key` (the upper one of the two middles for an even
 * count); undefined when there are none. Every bench that repeats a measurement keeps its median,
 * so one noisy round cannot move a ratio.
 */
export function medianBy<T>(values: readonly T[], key: (value: T) => number): T | undefined {
  const sorted = [...values].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor(sorted.length / 2)];
}
