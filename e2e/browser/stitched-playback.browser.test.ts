import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import { planChunks } from '@moocflix/platform-core/transcoding';
import { encodeChunked, type FfmpegRunner } from '../../services/transcoder/src/chunks/encode-chunked';
import { runFfmpeg } from '../../services/transcoder/src/ffmpeg/run-ffmpeg';
import { packageHlsOutput } from '../../services/transcoder/src/hls/hls-package';
import { launchBrowser, REPO } from './harness';

// A chunked transcode, stitched, as a real player plays it: hls.js in Debian's chromium plays the
// master to the end — one buffered range, no stall, `ended` fires. (A decoder reading a broken
// stitch reports nothing; per-chunk maps with discontinuities stall hls.js at every join.)
jest.setTimeout(180_000);
const run = promisify(execFile);
const SECONDS = 12;

let dir: string;
let server: Server;
let origin: string;
let browser: Browser;

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/mp4',
  '.mp4': 'video/mp4',
};

/** The package and the page, from 127.0.0.1 only. */
function serve(files: Record<string, string>, root: string): Promise<Server> {
  const s = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = files[path] ?? join(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    stat(file).then(
      () => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stitched-playback-'));
  const { ffmpeg } = resolveFfmpegBinaries();
  const source = join(dir, 'source.mp4');
  // prettier-ignore
  await run(ffmpeg, [
    '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${SECONDS}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', source,
  ]);
  const runner: FfmpegRunner = (args, onProgress) =>
    runFfmpeg({
      binary: ffmpeg,
      args,
      timeLimitMs: 120_000,
      signal: new AbortController().signal,
      onProgress,
    });
  const renditions = [
    { name: '180p', width: 320, height: 180, videoBitrate: 300_000 },
    { name: '360p', width: 640, height: 360, videoBitrate: 800_000 },
  ];
  const outputDir = join(dir, 'package');
  await mkdir(outputDir);
  await encodeChunked(
    {
      inputPath: source,
      demuxer: 'mov',
      renditions,
      hasAudio: true,
      posterAtSeconds: 1,
      x264Preset: 'veryfast',
      chunks: planChunks(SECONDS, { chunkSeconds: 4 }),
      chunksDir: join(dir, 'chunks'),
      outputDir,
      sourceSeconds: SECONDS,
    },
    runner,
    () => undefined,
  );
  const hls = await packageHlsOutput(outputDir, renditions, true);
  // The package as it is uploaded (renditions renamed), served as files.
  const files: Record<string, string> = {
    '/': join(__dirname, 'stitched-playback.html'),
    '/hls.js': join(REPO, 'node_modules/hls.js/dist/hls.min.js'),
  };
  for (const f of hls.files) files[`/video/${f.relativeKey}`] = f.localPath;
  server = await serve(files, dir);
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('hls.js plays a stitched, chunked master to the end: one buffered range, no stall, ended', async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  // The page's own script (stitched-playback.html) plays it and reports.
  const report = await page.evaluate(
    (url) =>
      (
        globalThis as unknown as { playStitched: (u: string) => Promise<Record<string, unknown>> }
      ).playStitched(url),
    '/video/master.m3u8',
  );
  await page.close();
  // One seek over a hole before the first frame is hls.js starting a buffer that begins a few ms after 0 (the
  // rangeStart allowed below) when the first frame decodes slowly on a loaded machine; a hole anywhere later
  // (a broken join of two chunks) stays an error.
  const errors = (report.errors as string[]).filter((e) => !isStartGapSkip(e));
  expect({ ...report, errors }).toMatchObject({ ended: true, errors: [], stalls: 0, rangeCount: 1 });
  expect(report.rangeStart as number).toBeLessThan(0.2);
  expect(report.rangeEnd as number).toBeGreaterThan(SECONDS - 0.2);
  expect(report.duration as number).toBeCloseTo(SECONDS, 0);
  // Both renditions and the audio group came from the package (the player picked a level).
  expect(report.levels).toBe(2);
  expect(report.audioTracks).toBe(1);
});

/** hls.js's non-fatal "fragment loaded with buffer holes, seeking from <t> to <t'>" with t at the very start. */
function isStartGapSkip(error: string): boolean {
  const seek = /^mediaError\/bufferSeekOverHole at [\d.]+: .*seeking from ([\d.]+) to ([\d.]+)/.exec(error);
  return seek !== null && Number(seek[1]) < 0.2 && Number(seek[2]) < 0.5;
}
