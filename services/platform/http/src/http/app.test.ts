import { Router } from 'express';
import { z } from 'zod';
import { problems } from '@moocflix/platform-core/errors';
import { createLogger } from '@moocflix/platform-core/log';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';
import { createHttpApp, type ReadinessCheck } from './app';
import { paginationQuery, cursorField, cursorSchema, decodeCursor, encodeCursor } from './pagination';
import { startHttpServer, type RunningServer } from './server';
import { parseBody, parseQuery } from './validation';

const bodySchema = z.strictObject({ name: z.string().min(1), age: z.number().int().optional() });

function buildApp(readiness: ReadinessCheck[]) {
  const router = Router();
  router.post('/', (req, res) => {
    const body = parseBody(bodySchema, req);
    res.status(201).json(body);
  });
  router.get('/', (req, res) => {
    const query = parseQuery(z.strictObject(paginationQuery), req);
    const position = decodeCursor(cursorSchema({ id: cursorField.integer() }), query.cursor);
    res.json({ items: [], nextCursor: null, limit: query.limit, position });
  });
  router.get('/teapot', () => {
    throw problems.conflict('already brewing', 'busy');
  });
  router.get('/boom', () => {
    throw new Error('secret internal detail');
  });
  router.get('/async-boom', async () => {
    await Promise.resolve();
    throw new Error('async secret');
  });
  return createHttpApp({
    logger: createLogger('test', 'silent'),
    registry: createMetricsRegistry(),
    services: [
      {
        name: 'things',
        basePath: '/api/v1/things',
        router,
        openapi: { openapi: '3.1.0' },
        readiness,
        start: async () => undefined,
        stop: async () => undefined,
      },
    ],
    jsonLimit: '1kb',
  });
}

describe('createHttpApp', () => {
  let server: RunningServer;
  let ready = true;
  beforeAll(async () => {
    const app = buildApp([{ name: 'db', check: async () => ready }]);
    server = await startHttpServer({
      app,
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('test', 'silent'),
    });
  });
  afterAll(() => server.close());

  const call = (path: string, init?: RequestInit) => fetch(server.url + path, init);
  const postJson = (
    path: string,
    body: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => call(path, { method: 'POST', headers, body });

  async function expectProblem(response: Response, status: number) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(body).toMatchObject({
      status,
      type: expect.stringMatching(/^https:\/\/moocflix\.io\/problems\//),
      title: expect.any(String),
    });
    return body;
  }

  it('serves health, readiness and metrics', async () => {
    expect((await call('/healthz')).status).toBe(200);
    expect(await (await call('/readyz')).json()).toEqual({ status: 'ready', checks: { db: 'ok' } });
    ready = false;
    const notReady = await call('/readyz');
    expect(notReady.status).toBe(503);
    ready = true;
    await call('/api/v1/things/teapot');
    const metrics = await (await call('/metrics')).text();
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/things\/teapot",status="409"\} 1/,
    );
  });

  it('serves the OpenAPI document under the base path', async () => {
    expect(await (await call('/api/v1/things/openapi.json')).json()).toEqual({ openapi: '3.1.0' });
  });

  it('accepts a valid body', async () => {
    const response = await postJson('/api/v1/things', JSON.stringify({ name: 'x', age: 3 }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ name: 'x', age: 3 });
  });

  it('answers 400 with field errors for invalid bodies and unknown fields', async () => {
    const body = await expectProblem(
      await postJson('/api/v1/things', JSON.stringify({ name: '', extra: 1 })),
      400,
    );
    const paths = body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.extra']));
    expect(body.errors).toContainEqual({ path: 'body.extra', message: 'unknown field' });
  });

  it('answers 400 for text PostgreSQL cannot store (NUL characters) instead of failing later', async () => {
    const body = await expectProblem(
      await postJson('/api/v1/things', JSON.stringify({ name: 'a\u0000b' })),
      400,
    );
    expect(body.errors).toEqual([{ path: 'body.name', message: expect.stringMatching(/NUL/) }]);
  });

  it('answers 400 for malformed JSON, 413 for oversized and 415 for non-JSON bodies', async () => {
    await expectProblem(await postJson('/api/v1/things', '{"name":'), 400);
    await expectProblem(await postJson('/api/v1/things', JSON.stringify({ name: 'x'.repeat(5000) })), 413);
    await expectProblem(
      await postJson('/api/v1/things', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
    );
    await expectProblem(await postJson('/api/v1/things', 'name=x', { 'content-type': 'text/plain' }), 415);
  });

  it('validates queries and cursors', async () => {
    await expectProblem(await call('/api/v1/things?limit=10000'), 400);
    await expectProblem(await call('/api/v1/things?limit=-1'), 400);
    await expectProblem(await call('/api/v1/things?cursor=garbage'), 400);
    const cursor = encodeCursor({ id: 7 });
    expect(await (await call(`/api/v1/things?limit=5&cursor=${cursor}`)).json()).toMatchObject({
      limit: 5,
      position: { id: 7 },
    });
  });

  it('maps thrown problems and hides unexpected errors', async () => {
    const conflict = await expectProblem(await call('/api/v1/things/teapot'), 409);
    expect(conflict).toMatchObject({ detail: 'already brewing', reason: 'busy' });
    for (const path of ['/api/v1/things/boom', '/api/v1/things/async-boom']) {
      const response = await call(path);
      const text = await response.clone().text();
      await expectProblem(response, 500);
      expect(text).not.toMatch(/secret/);
    }
  });

  it('answers unknown routes with a problem+json 404, never HTML', async () => {
    await expectProblem(await call('/nope'), 404);
    await expectProblem(await call('/api/v1/things/nope', { method: 'DELETE' }), 404);
  });

  it('puts the API security headers on every answer: success, problem, 404 and 500 alike', async () => {
    for (const response of [
      await call('/api/v1/things'),
      await call('/api/v1/things/teapot'),
      await call('/nope'),
      await call('/api/v1/things/boom'),
    ]) {
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cross-origin-resource-policy')).toBe('same-site');
      expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d{8,}/);
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('propagates a sane request id and replaces an unsafe one', async () => {
    expect(
      (await call('/healthz', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id'),
    ).toBe('abc-123');
    const replaced = (
      await call('/healthz', { headers: { 'x-request-id': 'bad id\twith spaces' } })
    ).headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('createHttpApp with several services (the one-process launcher)', () => {
  it('names each readiness check after its service so none hides another', async () => {
    const logger = createLogger('test', 'silent');
    const service = (name: string, ok: boolean) => ({
      name,
      basePath: `/api/v1/${name}`,
      router: Router(),
      openapi: {},
      readiness: [{ name: 'database', check: async () => ok }],
      start: async () => undefined,
      stop: async () => undefined,
    });
    const app = createHttpApp({
      logger,
      registry: createMetricsRegistry(),
      services: [service('a', true), service('b', false)],
    });
    const server = await startHttpServer({ app, port: 0, host: '127.0.0.1', logger });
    try {
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: 'not-ready',
        checks: { 'a/database': 'ok', 'b/database': 'failing' },
      });
    } finally {
      await server.close();
    }
  });
});
