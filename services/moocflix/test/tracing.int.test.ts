import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPAN_KIND_SERVER, startOtlpReceiver, type OtlpReceiver } from '@moocflix/platform-testing';
import { waitFor } from '../../../e2e/stack/control';

/**
 * `make dev` with an OTLP endpoint exports the spans of every request, with express and pg
 * instrumented: tracing starts before those modules load (the Makefile passes the kit's instrument
 * module as --import, and the launcher imports it first). Started exactly as the Makefile starts it.
 * Before this, the launcher never started tracing and exported nothing.
 */
const REPO = join(__dirname, '../../..');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('make dev with an OTLP endpoint', () => {
  let home: string;
  let launcher: ChildProcess;
  let receiver: OtlpReceiver;
  let base: string;
  let output = '';

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    home = await mkdtemp(join(tmpdir(), 'moocflix-traced-'));
    // As root the embedded PostgreSQL runs as `postgres` and must enter it.
    await chmod(home, 0o755);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      MOOCFLIX_HOME: home,
      MOOCFLIX_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Export every 200 ms instead of every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    launcher = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', '@moocflix/platform-telemetry/instrument', 'services/moocflix/src/main.ts'],
      { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      async () => (await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200,
      { timeoutMs: 120_000, intervalMs: 200 },
    ).catch((err: unknown) => {
      throw new Error(`launcher did not become ready: ${String(err)}\n${output.slice(-4000)}`);
    });
  }, 150_000);

  afterAll(async () => {
    if (launcher && launcher.exitCode === null) {
      launcher.kill('SIGKILL');
      await once(launcher, 'exit');
    }
    await receiver?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('exports a server span per request, and the pg and express spans of a request share its trace', async () => {
    const credentials = { email: `traced-${Date.now()}@example.com`, password: 'Tr4ced-and-long-enough!' };
    const json = { 'content-type': 'application/json' };
    expect((await fetch(`${base}/api/v1/users/signup`, { method: 'POST', headers: json, body: JSON.stringify({ ...credentials, name: 'Traced', role: 'instructor' }) })).status).toBe(201);
    const login = await fetch(`${base}/api/v1/users/login`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const created = await fetch(`${base}/api/v1/courses`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ title: 'Traced course', description: 'Spans please' }),
    });
    expect(created.status).toBe(201);

    const createSpan = await waitFor(
      () => receiver.spans().find((s) => s.kind === SPAN_KIND_SERVER && s.name.startsWith('POST') && JSON.stringify(s.attributes).includes('/api/v1/courses')) ?? false,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const sameTrace = await waitFor(
      () => {
        const spans = receiver.spans().filter((s) => s.traceId === createSpan.traceId);
        const pg = spans.filter((s) => s.name.startsWith('pg.'));
        const express = spans.filter((s) => s.attributes.some((a) => a.key === 'express.type'));
        return pg.length > 0 && express.length > 0 && { pg, express };
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(sameTrace.pg.length).toBeGreaterThan(0);
    expect(sameTrace.express.length).toBeGreaterThan(0);
    // Probes are not traced.
    expect(receiver.spans().some((s) => JSON.stringify(s.attributes).includes('/readyz'))).toBe(false);
  }, 90_000);
});
