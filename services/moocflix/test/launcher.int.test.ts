import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { singleOrigin, runLearningFlow } from '../../../e2e/kind/flows';
import { sampleVideo } from '../../../e2e/kind/run-flows';
import { waitFor } from '../../../e2e/stack/control';
import { scrapedValue } from '@moocflix/platform-testing';

/**
 * `make dev` as a newcomer runs it: the launcher process on a fresh .moocflix home (embedded
 * PostgreSQL initialised on first start), every service mounted on one port, and a clean stop.
 * It uses its own PostgreSQL, not the test stack's — that is the point of the embedded mode.
 */
const MAIN = join(__dirname, '../src/main.ts');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('moocflix dev launcher', () => {
  let home: string;
  let launcher: ChildProcess;
  let base: string;
  let output = '';

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'moocflix-home-'));
    // mkdtemp makes it private (700); as root the embedded PostgreSQL runs as `postgres` and must enter it.
    await chmod(home, 0o755);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Only what a newcomer's shell would have: no stack variables, so every default is embedded.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      MOOCFLIX_HOME: home,
      MOOCFLIX_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
    launcher = spawn(process.execPath, ['--import', 'tsx', MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('MoocFlix ready on'), { timeoutMs: 120_000, intervalMs: 200 }).catch(
      (err) => {
        throw new Error(`launcher did not become ready: ${err}\n${output.slice(-4000)}`);
      },
    );
  }, 150_000);

  afterAll(async () => {
    if (launcher.exitCode === null) {
      launcher.kill('SIGKILL');
      await once(launcher, 'exit');
    }
    await rm(home, { recursive: true, force: true });
  });

  it('answers /healthz and reports every service ready', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await waitFor(
      async () => {
        const response = await fetch(`${base}/readyz`);
        return response.status === 200 && ((await response.json()) as { checks: Record<string, string> });
      },
      { timeoutMs: 30_000 },
    );
    expect(Object.keys(ready.checks)).toEqual(
      expect.arrayContaining([
        'users/database',
        'courses/database',
        'content/database',
        'assessments/database',
        'notifications/database',
        'event-bus',
        'object-storage',
      ]),
    );
  });

  it("reports each service's outbox backlog in /metrics", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const service of ['users', 'courses', 'content', 'assessments']) {
      for (const name of ['moocflix_outbox_pending_events', 'moocflix_outbox_oldest_pending_age_seconds']) {
        const value = scrapedValue(text, name, { service });
        expect({ service, name, reported: typeof value === 'number' && value >= 0 }).toEqual({
          service,
          name,
          reported: true,
        });
      }
    }
  });

  it('mounts every service with its OpenAPI document', async () => {
    for (const service of ['users', 'courses', 'content', 'transcoder', 'assessments', 'notifications']) {
      const response = await fetch(`${base}/api/v1/${service}/openapi.json`);
      expect({ service, status: response.status }).toEqual({ service, status: 200 });
      expect(((await response.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    }
  });

  it('signs up, logs in, and the token works on another service (JWKS over the same port)', async () => {
    const email = `newcomer-${Date.now()}@example.com`;
    const signup = await fetch(`${base}/api/v1/users/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email,
        password: 'a long enough passphrase',
        name: 'New Comer',
        role: 'instructor',
      }),
    });
    expect(signup.status).toBe(201);
    const login = await fetch(`${base}/api/v1/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a long enough passphrase' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const course = await fetch(`${base}/api/v1/courses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ title: 'Launching', description: 'made through make dev' }),
    });
    expect(course.status).toBe(201);
    const inbox = await fetch(`${base}/api/v1/notifications`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(inbox.status).toBe(200);
  });

  it('runs the learning flow the kind e2e runs (signup → course → upload → transcode → stream → quiz → grade → inbox)', async () => {
    const result = await runLearningFlow({
      endpoints: singleOrigin(base),
      video: await sampleVideo(),
      transcodeTimeoutMs: 180_000,
    });
    expect(result.renditions.length).toBeGreaterThan(0);
    expect(result.finalScore).toBeGreaterThan(0);
    expect(result.notificationTypes.length).toBeGreaterThan(0);
  }, 240_000);

  it('probes an upload in place in its local storage: a file that is not a video is refused (415) and its object deleted', async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const credentials = { email: `refused-${run}@moocflix.test`, password: `correct horse battery ${run}` };
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    expect(
      (await post('/api/v1/users/signup', { ...credentials, name: 'Refused', role: 'instructor' })).status,
    ).toBe(201);
    const { accessToken } = (await (await post('/api/v1/users/login', credentials)).json()) as {
      accessToken: string;
    };
    const course = await post(
      '/api/v1/courses',
      { title: `Refusals ${run}`, description: 'x', published: true },
      accessToken,
    );
    const { id: courseId } = (await course.json()) as { id: string };
    const objects = join(home, 'storage', 'objects', 'videos');
    // The stored objects (files; a deleted object may leave its empty folder). The folder exists once
    // anything was uploaded (the learning flow above); none is none.
    const storedVideos = async () => {
      const entries = await readdir(objects, { recursive: true, withFileTypes: true }).catch(() => []);
      return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    };
    const before = await storedVideos();

    let status = 0;
    // content learns of the course from its event: 404 until then.
    await waitFor(
      async () => {
        const form = new FormData();
        form.set('courseId', courseId);
        form.set('title', 'Not a video');
        form.set('file', new Blob(['just some notes, not a video\n'.repeat(1000)]), 'notes.mp4');
        const answer = await fetch(`${base}/api/v1/content/upload`, {
          method: 'POST',
          headers: { authorization: `Bearer ${accessToken}` },
          body: form,
        });
        status = answer.status;
        return status !== 404;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );

    expect(status).toBe(415);
    expect(await storedVideos()).toEqual(before);
  }, 90_000);

  it('stops cleanly on SIGTERM and takes its PostgreSQL with it', async () => {
    launcher.kill('SIGTERM');
    const [code] = await once(launcher, 'exit');
    if (code !== 0) throw new Error(`launcher exited with ${code}:\n${output.slice(-3000)}`);
    // No postgres process may still use this home's data folder.
    const { execFileSync } = await import('node:child_process');
    const processes = execFileSync('ps', ['-eo', 'args']).toString();
    const leftovers = processes.split('\n').filter((line) => line.includes(join(home, 'pg')));
    expect(leftovers).toEqual([]);
  });
});
