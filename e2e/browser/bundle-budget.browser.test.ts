import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO } from './harness';

const DIST = join(REPO, 'web/dist');
const BUDGET_GZIP_BYTES = 150 * 1024;

/** The chunks a first visit loads: index.html's scripts and, recursively, their static imports. */
function firstPageChunks(): string[] {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const queue = [...html.matchAll(/<script[^>]+src="\/([^"]+)"|<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map((m) => (m[1] ?? m[2])!);
  const seen = new Set<string>();
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(DIST, file), 'utf8');
    // Static imports only (`import … from "./x.js"` / `import "./x.js"`); import("./x.js") is lazy.
    for (const m of code.matchAll(/(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w${},*\s]+from\s*)?["'](\.\/[^"']+)["']/g)) {
      queue.push(join('assets', m[1]!.slice(2)));
    }
  }
  return [...seen];
}

describe('web console bundle budget', () => {
  it('the first page loads at most 150 KB of gzipped JavaScript, and no hls.js', () => {
    const chunks = firstPageChunks();
    expect(chunks.length).toBeGreaterThan(0);
    const sizes = chunks.map((file) => ({ file, gzip: gzipSync(readFileSync(join(DIST, file))).length }));
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    expect(total).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    for (const file of chunks) {
      expect(file).not.toMatch(/hls/i);
      // hls.js's own error vocabulary: present in its chunk, absent from the first page.
      expect(readFileSync(join(DIST, file), 'utf8')).not.toContain('manifestLoadError');
    }
  });

  it('hls.js is built, as a chunk of its own that only a dynamic import reaches', () => {
    const assets = readdirSync(join(DIST, 'assets'));
    const hls = assets.filter((f) => f.endsWith('.js') && readFileSync(join(DIST, 'assets', f), 'utf8').includes('manifestLoadError'));
    expect(hls).toHaveLength(1);
    const firstPage = firstPageChunks();
    const importers = assets.filter((f) => f.endsWith('.js') && readFileSync(join(DIST, 'assets', f), 'utf8').includes(hls[0]!));
    expect(importers.length).toBeGreaterThan(0);
    for (const f of importers) expect(firstPage).not.toContain(`assets/${f}`);
    for (const f of importers) expect(readFileSync(join(DIST, 'assets', f), 'utf8')).toMatch(new RegExp(`import\\(["'\`]\\./${hls[0]!.replace('.', '\\.')}["'\`]\\)`));
  });
});
