/** Field names that only answer keys have. */
const KEY_FIELDS = new Set(['correct', 'tolerance', 'caseSensitive']);

/**
 * Walks EVERY field of a student-facing response body, at any depth, and lists what gives an answer
 * key away: a field named like an answer key, or any value equal to one of `secretValues` (answer
 * keys a student cannot guess, such as a text key or an unusual number, which the student did not
 * submit themselves). Returns the paths found, so a failing test shows where the leak is.
 */
export function findAnswerKeyLeaks(
  body: unknown,
  secretValues: readonly (string | number)[],
  path = '$',
): string[] {
  const leaks: string[] = [];
  if (Array.isArray(body)) {
    body.forEach((item, index) => leaks.push(...findAnswerKeyLeaks(item, secretValues, `${path}[${index}]`)));
  } else if (body !== null && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) {
      if (KEY_FIELDS.has(key)) leaks.push(`${path}.${key}`);
      leaks.push(...findAnswerKeyLeaks(value, secretValues, `${path}.${key}`));
    }
  } else if (typeof body === 'string' || typeof body === 'number') {
    const text = String(body).toLowerCase();
    if (
      secretValues.some((secret) =>
        typeof secret === 'string' ? text.includes(secret.toLowerCase()) : body === secret,
      )
    )
      leaks.push(path);
  }
  return leaks;
}
