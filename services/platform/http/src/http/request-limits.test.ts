import { Router } from 'express';
import { z } from 'zod';
import { createLogger } from '@moocflix/platform-core/log';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';
import { RawConnection, type RawResponse } from '@moocflix/platform-testing';
import { createHttpApp } from './app';
import { allowBody, parseByteSize, requestBody, type HttpLimits } from './request-limits';
import { startHttpServer, type RunningServer } from './server';
import { parseBody } from './validation';

// Small limits so the clocks run out within a test; every time assertion below is generous (a
// loaded 2-core machine delays timers), and what is asserted is the outcome, not the timing.
const LIMITS: HttpLimits = {
  headersTimeoutMs: 600,
  requestTimeoutMs: 20_000,
  maxHeaderBytes: 4096,
  maxHeaders: 30,
  body: { idleTimeoutMs: 500, graceMs: 400, minBytesPerSecond: 1000 },
};
const UPLOAD_LIMIT = 8 * 1024;

let server: RunningServer;
let host: string;

beforeAll(async () => {
  const router = Router();
  router.post('/', (req, res) => {
    res.status(201).json(parseBody(z.strictObject({ name: z.string() }), req));
  });
  // A streaming route with its own limit, reading the guarded body as an upload route does.
  router.post('/upload', allowBody(UPLOAD_LIMIT), async (req, res) => {
    if (req.query.wait) await new Promise((resolve) => setTimeout(resolve, Number(req.query.wait)));
    let bytes = 0;
    for await (const chunk of requestBody(req)) bytes += (chunk as Buffer).length;
    res.json({ bytes });
  });
  const app = createHttpApp({
    logger: createLogger('test', 'silent'),
    registry: createMetricsRegistry(),
    services: [
      {
        name: 'things',
        basePath: '/things',
        router,
        openapi: {},
        readiness: [],
        start: async () => undefined,
        stop: async () => undefined,
      },
    ],
    jsonLimit: '1kb',
    limits: LIMITS,
  });
  server = await startHttpServer({
    app,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('test', 'silent'),
    limits: LIMITS,
    drainTimeoutMs: 500,
  });
  host = `127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

const open = () => RawConnection.open(server.url);
const head = (path: string, headers: Record<string, string | number>) =>
  `POST ${path} HTTP/1.1\r\nHost: ${host}\r\n` +
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('') +
  '\r\n';

function expectProblem(response: RawResponse | null, status: number): void {
  expect(response?.status).toBe(status);
  expect(response?.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response?.json).toMatchObject({ status });
}

/** The server is still fine: a plain JSON request on a fresh connection. */
async function expectServing(): Promise<void> {
  const response = await fetch(`${server.url}/things`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ok' }),
  });
  expect(response.status).toBe(201);
}

/** Writes `chunk` until the server hangs up or `maxBytes` is sent; returns what was written. */
async function pushUntilClosed(connection: RawConnection, chunk: Buffer, maxBytes: number): Promise<number> {
  let sent = 0;
  while (sent < maxBytes && !connection.isClosed) {
    if (!(await connection.write(chunk))) break;
    sent += chunk.length;
  }
  return sent;
}

describe('declared sizes', () => {
  it('refuses a JSON body declared as 2 GB with 413 before reading it, then closes', async () => {
    const connection = await open();
    const started = Date.now();
    await connection.write(
      head('/things', { 'content-type': 'application/json', 'content-length': 2 * 1024 ** 3 }),
    );
    expectProblem(await connection.response(5000), 413);
    expect(Date.now() - started).toBeLessThan(5000);
    // The body the client promised is not waited for: the connection is closed soon after.
    await connection.closed;
    await expectServing();
  });

  it("refuses an upload declared over the route's own limit with 413, and accepts one within it", async () => {
    const over = await open();
    await over.write(
      head('/things/upload', {
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': UPLOAD_LIMIT + 1,
      }),
    );
    expectProblem(await over.response(5000), 413);
    over.destroy();

    // Above the JSON limit but within the route's: the route's limit is the one that counts.
    const within = await open();
    const body = Buffer.alloc(UPLOAD_LIMIT, 1);
    await within.write(
      head('/things/upload', {
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': body.length,
      }),
    );
    await within.write(body);
    const response = await within.response(5000);
    expect(response?.status).toBe(200);
    expect(response?.json).toEqual({ bytes: UPLOAD_LIMIT });
    within.destroy();
  });
});

describe('streamed (chunked) bodies', () => {
  it('cuts a chunked JSON body at the JSON limit (413) and does not read on for ever', async () => {
    const connection = await open();
    await connection.write(
      head('/things', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
    );
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x20), Buffer.from('\r\n')]);
    const sent = await pushUntilClosed(connection, chunk, 256 * 1024 * 1024);
    expectProblem(await connection.response(1000), 413);
    // Read at most the limit plus a bounded drain (and what the kernel buffers), not 256 MiB.
    expect(sent).toBeLessThan(128 * 1024 * 1024);
    await expectServing();
  });

  it("cuts a chunked upload at the route's limit with 413", async () => {
    const connection = await open();
    await connection.write(
      head('/things/upload', {
        'content-type': 'multipart/form-data; boundary=x',
        'transfer-encoding': 'chunked',
      }),
    );
    const chunk = Buffer.concat([Buffer.from('1000\r\n'), Buffer.alloc(0x1000, 1), Buffer.from('\r\n')]);
    const sent = await pushUntilClosed(connection, chunk, 256 * 1024 * 1024);
    expectProblem(await connection.response(1000), 413);
    expect(sent).toBeLessThan(128 * 1024 * 1024);
  });
});

describe('slow bodies', () => {
  it('cuts off a body trickling one byte every 200 ms (408) and closes the connection', async () => {
    const connection = await open();
    const body = JSON.stringify({ name: 'x'.repeat(200) });
    await connection.write(
      head('/things', { 'content-type': 'application/json', 'content-length': body.length }),
    );
    const started = Date.now();
    const trickled = await connection.trickle(body, 200);
    // Far fewer bytes than the body: the grace period plus what the rate allows, then cut.
    expect(trickled).toBeLessThan(body.length);
    expect(Date.now() - started).toBeLessThan(20_000);
    expectProblem(await connection.response(1000), 408);
    await connection.closed;
  });

  it('cuts off a body that stops coming (408)', async () => {
    const connection = await open();
    await connection.write(
      head('/things/upload', { 'content-type': 'multipart/form-data; boundary=x', 'content-length': 4000 }),
    );
    await connection.write(Buffer.alloc(100, 1));
    const response = await connection.response(15_000);
    expectProblem(response, 408);
    await connection.closed;
    await expectServing();
  });

  it('does not count the time the server itself is not reading (a route busy before reading)', async () => {
    const connection = await open();
    const body = Buffer.alloc(2000, 1);
    await connection.write(
      head('/things/upload?wait=1500', {
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': body.length,
      }),
    );
    await connection.write(body);
    const response = await connection.response(15_000);
    expect(response?.status).toBe(200);
    expect(response?.json).toEqual({ bytes: 2000 });
    connection.destroy();
  });

  it('lets a body through that keeps a decent rate, however long it takes', async () => {
    const connection = await open();
    await connection.write(
      head('/things/upload', {
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': UPLOAD_LIMIT,
      }),
    );
    // 8 KiB in 1 KiB steps every 100 ms: ~10 KB/s, over several times the grace period.
    for (let i = 0; i < 8; i += 1) {
      await connection.write(Buffer.alloc(1024, 1));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const response = await connection.response(10_000);
    expect(response?.status).toBe(200);
    expect(response?.json).toEqual({ bytes: UPLOAD_LIMIT });
    connection.destroy();
  });
});

describe('headers', () => {
  it('cuts off headers trickling in (408 problem+json from the headers timeout)', async () => {
    const connection = await open();
    const started = Date.now();
    await connection.trickle(
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Slow: ${'y'.repeat(200)}\r\n\r\n`,
      50,
    );
    expectProblem(await connection.response(1000), 408);
    expect(Date.now() - started).toBeLessThan(10_000);
    await connection.closed;
  });

  it('refuses more header fields than allowed (431 problem+json)', async () => {
    const connection = await open();
    const many = Object.fromEntries(
      Array.from({ length: LIMITS.maxHeaders + 1 }, (_, i) => [`x-h${i}`, 'v']),
    );
    await connection.write(
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n${Object.entries(many)
        .map(([n, v]) => `${n}: ${v}\r\n`)
        .join('')}\r\n`,
    );
    expectProblem(await connection.response(5000), 431);
    connection.destroy();

    const fewer = await open();
    await fewer.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-One: 1\r\n\r\n`);
    expect((await fewer.response(5000))?.status).toBe(200);
    fewer.destroy();
  });

  it('refuses headers larger than allowed (431 problem+json)', async () => {
    const connection = await open();
    await connection.write(
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'b'.repeat(LIMITS.maxHeaderBytes)}\r\n\r\n`,
    );
    expectProblem(await connection.response(5000), 431);
    await connection.closed;
  });

  it('answers what is not HTTP with 400 problem+json', async () => {
    const connection = await open();
    await connection.write('HELLO\r\n\r\n');
    expectProblem(await connection.response(5000), 400);
    await connection.closed;
  });
});

describe('parseByteSize', () => {
  it('reads body-parser sizes', () => {
    expect(parseByteSize('100kb')).toBe(102_400);
    expect(parseByteSize('1mb')).toBe(1024 ** 2);
    expect(parseByteSize('512')).toBe(512);
    expect(() => parseByteSize('lots')).toThrow();
  });
});
