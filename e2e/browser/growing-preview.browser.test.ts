import { execFile } from 'node:child_process';
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
// esbuild comes with tsx (a root devDependency): it bundles the player's extent code for the page.
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import { launchBrowser, REPO } from './harness';

// A growing preview as the player sees it: an HLS EVENT playlist that lists one more 2 s segment
// every second (encoding at twice real time, as the transcoder's preview does and more slowly) and
// is closed with EXT-X-ENDLIST at the end. hls.js in Debian's chromium plays it from the start
// while the player's own extent code (web/src/lib) reports, at every playlist reload, how far it is
// encoded: the line grows with the playlist and goes away once it is closed.
jest.setTimeout(120_000);
const run = promisify(execFile);
const SECONDS = 12;
const SEGMENT_SECONDS = 2;
const REVEAL_EVERY_MS = 1000;

let dir: string;
let server: Server;
let origin: string;
let browser: Browser;
let playlistStartedAt = 0;

/** The playlist as far as it is "encoded" now: the header, the segments revealed so far, the end tag once all are. */
function growingPlaylist(full: string, now: number): string {
  const lines = full.trim().split('\n');
  const header = lines.filter(
    (l, i) =>
      l.startsWith('#') &&
      !l.startsWith('#EXTINF') &&
      l !== '#EXT-X-ENDLIST' &&
      !lines[i - 1]?.startsWith('#EXTINF'),
  );
  const entries: string[][] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('#EXTINF')) entries.push([line, lines[i + 1]!]);
  });
  const shown = Math.min(entries.length, 1 + Math.floor((now - playlistStartedAt) / REVEAL_EVERY_MS));
  return (
    [
      ...header,
      ...entries.slice(0, shown).flat(),
      ...(shown === entries.length ? ['#EXT-X-ENDLIST'] : []),
    ].join('\n') + '\n'
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'growing-preview-'));
  const { ffmpeg } = resolveFfmpegBinaries();
  const out = join(dir, 'preview');
  await run('mkdir', ['-p', out]);
  // prettier-ignore
  await run(ffmpeg, [
    '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=30:duration=${SECONDS}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-g', String(30 * SEGMENT_SECONDS), '-keyint_min', String(30 * SEGMENT_SECONDS), '-sc_threshold', '0',
    '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'event',
    '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4',
    '-hls_segment_filename', join(out, 'seg_%05d.m4s'), join(out, 'index.m3u8'),
  ]);
  const full = await readFile(join(out, 'index.m3u8'), 'utf8');
  expect(full).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
  const bundle = await build({
    entryPoints: [join(__dirname, 'growing-preview-page.ts')],
    bundle: true,
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  const files = new Map<string, { type: string; body: Buffer | string }>([
    ['/', { type: 'text/html', body: await readFile(join(__dirname, 'growing-preview.html')) }],
    [
      '/hls.js',
      { type: 'text/javascript', body: await readFile(join(REPO, 'node_modules/hls.js/dist/hls.min.js')) },
    ],
    ['/player-extent.js', { type: 'text/javascript', body: bundle.outputFiles[0]!.text }],
  ]);
  for (const name of await readdir(out)) {
    if (name !== 'index.m3u8')
      files.set(`/preview/${name}`, { type: 'video/mp4', body: await readFile(join(out, name)) });
  }
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/preview/index.m3u8') {
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-store' });
      res.end(growingPlaylist(full, Date.now()));
      return;
    }
    const file = files.get(path);
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.type });
    res.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the player says how far a growing preview is encoded, as it grows, and nothing once it is closed', async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  playlistStartedAt = Date.now();
  const report = (await page.evaluate(
    ([url, duration, watchMs]) =>
      (globalThis as unknown as { playGrowing: (...a: unknown[]) => Promise<unknown> }).playGrowing(
        url,
        duration,
        watchMs,
      ),
    ['/preview/index.m3u8', SECONDS, 12_000] as const,
  )) as {
    said: { text: string | null; encoded: number; complete: boolean }[];
    errors: string[];
    firstTime: number | null;
    currentTime: number;
  };
  await page.close();
  expect(report.errors).toEqual([]);
  const texts = report.said.map((s) => s.text);
  // Several reloads while it grew, each saying more than the one before (or the same), against 0:12.
  const growing = report.said.filter((s) => !s.complete);
  expect(growing.length).toBeGreaterThanOrEqual(2);
  for (let i = 1; i < growing.length; i++)
    expect(growing[i]!.encoded).toBeGreaterThanOrEqual(growing[i - 1]!.encoded);
  expect(growing.at(-1)!.encoded).toBeGreaterThan(growing[0]!.encoded);
  expect(texts[0]).toMatch(/^Encoded up to 0:0\d of 0:12$/);
  // Closed: the last update says nothing more.
  expect(report.said.at(-1)).toMatchObject({ complete: true, text: null, encoded: SECONDS });
  // Played from the start, not from the live edge of the growing playlist.
  expect(report.firstTime).not.toBeNull();
  expect(report.firstTime!).toBeLessThan(1);
  expect(report.currentTime).toBeGreaterThan(3);
});
