/**
 * Module positions are dense: a course with n modules has exactly positions 1..n. A requested
 * position beyond the end is clamped rather than refused, so "append" needs no count first.
 */

/** Where a new module goes among `count` existing ones: 1..count+1, default the end. */
export function insertPosition(requested: number | undefined, count: number): number {
  return requested === undefined ? count + 1 : Math.min(Math.max(requested, 1), count + 1);
}

/** Where an existing module moves among `count` modules (itself included): 1..count. */
export function movePosition(requested: number, count: number): number {
  return Math.min(Math.max(requested, 1), count);
}

/**
 * The neighbours that shift when a module moves from `from` to `to`: those in between move one
 * step toward the vacated slot.
 */
export function shiftForMove(from: number, to: number): { first: number; last: number; by: 1 | -1 } | null {
  if (from === to) return null;
  return to < from ? { first: to, last: from - 1, by: 1 } : { first: from + 1, last: to, by: -1 };
}
