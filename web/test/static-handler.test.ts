import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The web image's server (server/serve.mjs and its static handler, plain ESM run without a build) in
// a real process on a free port, serving a throwaway dist folder.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
  "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

let dir: string;
let child: ChildProcess;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'web-dist-'));
  mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(dir, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'outside.txt'), 'secret');
  child = spawn(process.execPath, [join(__dirname, '../server/serve.mjs')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WEB_DIST: join(dir, 'dist') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`serve.mjs exited (${code})`)));
    child.stdout!.once('data', (line: Buffer) => ok((JSON.parse(line.toString()) as { port: number }).port));
  });
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the console static handler', () => {
  it('sends index.html for the app’s routes, with the strict CSP and no caching', async () => {
    for (const path of ['/', '/courses/42', '/studio/courses/x?tab=1']) {
      const res = await fetch(base + path);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="app">');
      expect(res.headers.get('content-security-policy')).toBe(CSP);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('sends hashed assets cacheable for a year, and a 404 for a missing one (never HTML as script)', async () => {
    const js = await fetch(`${base}/assets/index-abc.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const missing = await fetch(`${base}/assets/index-old.js`);
    expect(missing.status).toBe(404);
  });

  it('never answers an API path or a non-GET request with the app', async () => {
    for (const path of ['/api/v1/courses', '/api', '/readyz', '/metrics']) expect((await fetch(base + path)).status).toBe(404);
    expect((await fetch(`${base}/courses`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('never serves a file outside its folder', async () => {
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt']) {
      const res = await fetch(base + path);
      expect(await res.text()).not.toContain('secret');
    }
  });
});
