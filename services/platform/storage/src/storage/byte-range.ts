/** Rejects ranges no HTTP Range header could produce; a bug in the caller, not a client error. */
export function assertValidRange(range: { start: number; end: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`Invalid byte range ${start}-${end}: need integers with 0 <= start <= end`);
  }
}
