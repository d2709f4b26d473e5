import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const run = promisify(execFile);
export const REPO = resolve(__dirname, '../..');
/**
 * Where the journeys' screenshots go: test-results/ (ignored by git), so `make test` leaves the
 * clone as it found it. `make screenshots` points this at docs/screenshots to refresh the README's.
 */
export const SCREENSHOTS = process.env.MOOCFLIX_SCREENSHOTS_DIR ?? join(REPO, 'test-results/screenshots');

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

export interface Launcher {
  /** http://localhost:<port>: a secure context, so the Secure refresh cookie is kept over plain HTTP. */
  url: string;
  stop(): Promise<void>;
}

/**
 * `make dev`'s process (services/moocflix) on a free port, with its own MOOCFLIX_HOME (embedded
 * PostgreSQL, storage) in a temp dir; stop() ends it by its pid (SIGTERM, then SIGKILL) and removes the dir.
 */
export async function startLauncher(): Promise<Launcher> {
  const home = await mkdtemp(join(tmpdir(), 'moocflix-browser-'));
  // As root, embedded PostgreSQL runs as the "postgres" user, which must be able to enter the folder.
  await chmod(home, 0o755);
  const [port, pgPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    MOOCFLIX_HOME: home,
    MOOCFLIX_PG_PORT: String(pgPort),
    LOG_LEVEL: 'warn',
  };
  // make dev's embedded defaults (PostgreSQL, the bus in it, local disk), whatever this shell points at.
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'S3_ENDPOINT', 'STORAGE_DIR', 'WEB_DIST']) delete env[name];
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', '@moocflix/platform-telemetry/instrument', 'services/moocflix/src/main.ts'],
    {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(home, { recursive: true, force: true });
  };
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the launcher exited (${child.exitCode}):\n${output}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`the launcher was not ready in 120 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** Debian's chromium (installed by ensure-chromium.sh when missing), headless. */
export async function launchBrowser(): Promise<Browser> {
  const { stdout } = await run('bash', [join(__dirname, 'ensure-chromium.sh')], { maxBuffer: 10 * 1024 * 1024 });
  const executablePath = stdout.trim().split('\n').pop()!;
  // Chromium's sandbox cannot start as root; as any other user it stays on.
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
  });
}

/** axe-core on the page as it is now: the serious and critical findings (should be none). */
export async function seriousA11yFindings(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${page.url()}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A short H.264/AAC clip from ffmpeg's generators (the kit's ffmpeg: PATH or the npm static build). */
export async function generateClip(path: string, seconds: number): Promise<string> {
  const { resolveFfmpegBinaries } = await import('@moocflix/platform-media');
  const { ffmpeg } = resolveFfmpegBinaries();
  // prettier-ignore
  await run(ffmpeg, [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=size=426x240:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-shortest',
    path,
  ]);
  return path;
}
