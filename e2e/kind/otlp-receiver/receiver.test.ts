import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { ReceivedExport, TraceSummary } from './receiver';

/**
 * The receiver as its image runs it (build.mjs's type-stripped ES module, started by main.mjs), fed by
 * the real OpenTelemetry SDK in two processes — one exporting protobuf (gzip), the other JSON — whose
 * spans form one trace, as users → courses do in the e2e's trace check.
 */
const run = promisify(execFile);
const fixture = path.join(__dirname, 'exporting-process.fixture.ts');

async function exportSpan(env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], {
    cwd: __dirname,
    env: {
      ...process.env,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      ...env,
    },
    timeout: 30_000,
  });
  return stdout.trim();
}

describe('OTLP receiver image entry point', () => {
  let outDir: string;
  let receiver: ChildProcess;
  let url: string;

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'otlp-receiver-'));
    await run(process.execPath, ['--no-warnings', path.join(__dirname, 'build.mjs'), outDir]);
    receiver = spawn(process.execPath, [path.join(outDir, 'main.mjs')], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // main.mjs logs one JSON line with the address it listens on (0.0.0.0:<port>).
    const lines = createInterface({ input: receiver.stdout! });
    const first = await new Promise<string>((resolve) => lines.once('line', resolve));
    const port = new URL((JSON.parse(first) as { url: string }).url).port;
    url = `http://127.0.0.1:${port}`;
  }, 30_000);

  afterAll(async () => {
    if (receiver.exitCode === null) {
      const exited = new Promise((resolve) => receiver.once('exit', resolve));
      receiver.kill('SIGTERM');
      await exited;
    }
    rmSync(outDir, { recursive: true, force: true });
  });

  it('joins protobuf and JSON exports from two services into one trace', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const usersParent = await exportSpan({
      FIXTURE_SERVICE: 'users',
      OTEL_EXPORTER_OTLP_ENDPOINT: url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    await exportSpan({
      FIXTURE_SERVICE: 'courses',
      FIXTURE_TRACEPARENT: usersParent,
      OTEL_EXPORTER_OTLP_ENDPOINT: url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });

    const { exports } = (await (await fetch(`${url}/exports`)).json()) as { exports: ReceivedExport[] };
    expect(exports).toEqual([
      { contentType: 'application/x-protobuf', contentEncoding: 'gzip', spans: 1 },
      { contentType: 'application/json', contentEncoding: 'identity', spans: 1 },
    ]);
    // traceparent: version-traceid-spanid-flags
    const [, traceId, usersSpanId] = usersParent.split('-');
    const { traces } = (await (await fetch(`${url}/traces?traceId=${traceId}`)).json()) as {
      traces: TraceSummary[];
    };
    expect(traces).toHaveLength(1);
    expect(traces[0]?.services).toEqual(['courses', 'users']);
    const users = traces[0]?.spans.find((s) => s.serviceName === 'users');
    const courses = traces[0]?.spans.find((s) => s.serviceName === 'courses');
    expect(users).toMatchObject({
      traceId,
      spanId: usersSpanId,
      parentSpanId: '',
      name: 'handle request',
      kind: 2,
    });
    expect(courses).toMatchObject({ traceId, parentSpanId: usersSpanId, name: 'handle request', kind: 2 });
  }, 90_000);

  it('refuses what it cannot decode, and forgets spans on DELETE', async () => {
    const post = (body: string | Uint8Array, contentType: string) =>
      fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect((await post('not json', 'application/json')).status).toBe(400);
    expect((await post(new Uint8Array([0x0a, 0x05, 0x01]), 'application/x-protobuf')).status).toBe(400);
    expect((await post('{}', 'text/plain')).status).toBe(415);

    expect((await fetch(`${url}/traces`, { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(`${url}/traces`)).json()).toEqual({ traces: [] });
  });
});
