import { encodeCursor, type Page } from '@moocflix/platform-http';

/**
 * Lists fetch `limit + 1` rows: the extra row only tells whether another page exists, and the
 * cursor points at the last row actually returned.
 */
export function keysetPage<T>(
  rows: T[],
  limit: number,
  positionOf: (last: T) => Record<string, string | number>,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
}
