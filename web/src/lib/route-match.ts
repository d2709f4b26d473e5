/** `/courses/:id` against `/courses/42` → `{ id: '42' }`; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const trim = (p: string) => p.replace(/\/+$/, '') || '/';
  const want = trim(pattern).split('/');
  const got = trim(path).split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}
