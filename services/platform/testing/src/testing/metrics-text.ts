/**
 * The value of one series in a Prometheus text scrape (what GET /metrics answers): the sample of
 * `name` whose labels include every one of `labels` (others, like the registry's default `process`
 * label, may be there too), or undefined when the scrape has none.
 */
export function scrapedValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return undefined;
}
