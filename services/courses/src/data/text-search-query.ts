const MAX_TERMS = 10;

/**
 * Turns what a user typed into a PostgreSQL tsquery matching courses that contain every word,
 * each as a prefix ("intro pyth" finds "Introduction to Python"). Only letters and digits survive,
 * so nothing the user types can reach tsquery's own syntax (&, |, !, :, parentheses, quotes).
 * Null when nothing searchable is left.
 */
export function textSearchQuery(text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  if (!words) return null;
  return [...new Set(words)]
    .slice(0, MAX_TERMS)
    .map((word) => `${word}:*`)
    .join(' & ');
}
