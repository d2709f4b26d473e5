import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Router } from 'express';
import { z } from 'zod';
import { HttpProblem } from '@moocflix/platform-core/errors';
import { createLogger } from '@moocflix/platform-core/log';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';
import { createHttpApp } from './app';
import { commonProblems, kitProblems } from './openapi';
import {
  cursorField,
  cursorSchema,
  decodeCursor,
  encodeCursor,
  INT4_MAX,
  paginationQuery,
} from './pagination';
import { startHttpServer, type RunningServer } from './server';
import { parseBody, parseParams, parseQuery, parseWith } from './validation';
import { findDefectiveString } from './well-formed-input';

/*
 * What a hostile or careless client sends that used to reach PostgreSQL (and come back as a 500),
 * and what the kit answers for a known path with the wrong method. Each case would pass through
 * without the kit's checks: the schemas below accept any string and the routes would answer 2xx.
 */

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udfff';
const REVERSED_PAIR = '\udc00\ud800';

describe('findDefectiveString', () => {
  it('accepts well-formed text, surrogate pairs (emoji) included', () => {
    expect(findDefectiveString({ title: 'Café 😀', tags: ['a', { b: 'c' }], n: 1, x: null }, 'body')).toBe(
      undefined,
    );
  });

  it.each([
    ['a lone high surrogate', LONE_HIGH],
    ['a lone low surrogate', LONE_LOW],
    ['a reversed pair', REVERSED_PAIR],
    ['a high surrogate at the end', `ok${LONE_HIGH}`],
    ['a NUL character', 'a\u0000b'],
  ])('finds %s in a value, an array item and an object key, at any depth, with its path', (_name, bad) => {
    expect(findDefectiveString({ a: { b: [1, { c: bad }] } }, 'body')).toEqual({
      path: 'body.a.b.1.c',
      message: expect.any(String),
    });
    expect(findDefectiveString({ answers: { [bad]: 'x' } }, 'body')).toEqual({
      path: expect.stringMatching(/^body\.answers\..*\\u(d[89a-f]|00)/),
      message: expect.stringMatching(/^object key /),
    });
    expect(findDefectiveString(bad, 'query')).toMatchObject({ path: 'query' });
  });

  it('reports the first defect in document order', () => {
    expect(findDefectiveString({ a: 'ok', b: LONE_HIGH, c: LONE_LOW }, 'body')?.path).toBe('body.b');
  });

  it('walks a deeply nested body without exhausting the stack', () => {
    let deep: unknown = LONE_HIGH;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findDefectiveString(deep, 'body')?.path).toMatch(/^body(\.0)+$/);
  });
});

describe('parseWith', () => {
  it('refuses ill-formed strings a schema accepted (multipart fields reach schemas this way)', () => {
    const schema = z.object({ title: z.string(), meta: z.record(z.string(), z.string()) });
    for (const input of [
      { title: LONE_HIGH, meta: {} },
      { title: 'x', meta: { [REVERSED_PAIR]: 'y' } },
      { title: 'x\u0000', meta: {} },
    ]) {
      let thrown: unknown;
      try {
        parseWith(schema, input, 'body');
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(HttpProblem);
      expect((thrown as HttpProblem).status).toBe(400);
      expect((thrown as HttpProblem).extensions.errors).toEqual([
        { path: expect.stringMatching(/^body\./), message: expect.any(String) },
      ]);
    }
    expect(parseWith(schema, { title: 'ok 😀', meta: { k: 'v' } }, 'body')).toEqual({
      title: 'ok 😀',
      meta: { k: 'v' },
    });
  });
});

describe('cursors', () => {
  const schema = cursorSchema({
    t: cursorField.timestamp(),
    id: cursorField.uuid(),
    p: cursorField.integer(1),
  });
  const id = '0b9e6a8e-9a1c-4f5e-8d5b-1f2e3d4c5b6a';
  const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const rawText = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

  function refusal(cursor: string) {
    try {
      decodeCursor(schema, cursor);
    } catch (err) {
      return err as HttpProblem;
    }
    return undefined;
  }

  it('decodes what the API issued, the time re-written canonically', () => {
    expect(decodeCursor(schema, encodeCursor({ t: '2026-01-02T03:04:05.678Z', id, p: 3 }))).toEqual({
      t: '2026-01-02T03:04:05.678Z',
      id,
      p: 3,
    });
    expect(decodeCursor(schema, raw({ t: '2026-01-02T03:04:05.678123Z', id, p: 1 }))?.t).toBe(
      '2026-01-02T03:04:05.678Z',
    );
    expect(decodeCursor(schema, undefined)).toBeUndefined();
  });

  it.each([
    ['year 0000 (PostgreSQL has no year zero)', raw({ t: '0000-01-01T00:00:00Z', id, p: 1 })],
    ['a date beyond ISO 8601', raw({ t: '+275760-09-13T00:00:00Z', id, p: 1 })],
    ['a date that is no date', raw({ t: '2026-02-30T00:00:00Z', id, p: 1 })],
    ['a bare number as a date', raw({ t: '1', id, p: 1 })],
    ['a position past PostgreSQL integer', raw({ t: '2026-01-01T00:00:00Z', id, p: INT4_MAX + 1 })],
    ['a huge number', raw({ t: '2026-01-01T00:00:00Z', id, p: 1e300 })],
    ['a negative position', raw({ t: '2026-01-01T00:00:00Z', id, p: -5 })],
    ['a fractional position', raw({ t: '2026-01-01T00:00:00Z', id, p: 1.5 })],
    ['a string position', raw({ t: '2026-01-01T00:00:00Z', id, p: '1' })],
    ['a non-uuid id', raw({ t: '2026-01-01T00:00:00Z', id: "1' OR 1=1", p: 1 })],
    ['an object for a field', raw({ t: { $gt: 0 }, id, p: 1 })],
    ['an extra member', raw({ t: '2026-01-01T00:00:00Z', id, p: 1, x: 1 })],
    ['an array', raw([1, 2])],
    ['null', raw(null)],
    ['garbage base64', 'Z2FyYmFnZQ'],
    ['characters outside base64url', 'abc+/=='],
    ['a very long value', 'A'.repeat(100_000)],
    ['invalid UTF-8 bytes', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url')],
    ['an empty cursor', ''],
  ])('refuses %s with a 400 naming query.cursor', (_name, cursor) => {
    const problem = refusal(cursor);
    expect(problem).toBeInstanceOf(HttpProblem);
    expect(problem?.status).toBe(400);
    expect(problem?.extensions.errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
  });

  it('refuses text fields PostgreSQL cannot store: lone surrogates, NUL, over the length', () => {
    const text = cursorSchema({ s: cursorField.text(10) });
    for (const cursor of [
      rawText('{"s":"\\ud800"}'),
      rawText('{"s":"\\udc00\\ud800"}'),
      rawText('{"s":"a\\u0000"}'),
      raw({ s: 'x'.repeat(11) }),
      raw({ s: '' }),
    ]) {
      expect(() => decodeCursor(text, cursor)).toThrow(HttpProblem);
    }
    expect(decodeCursor(text, raw({ s: 'café 😀' }))).toEqual({ s: 'café 😀' });
  });
});

describe('the HTTP edge of every service', () => {
  let server: RunningServer;
  /** Requests a route handler actually ran for: a refused request must never get there. */
  let handled: string[] = [];

  const anyStrings = z.strictObject({
    title: z.string().optional(),
    answers: z.record(z.string(), z.unknown()).optional(),
    nested: z.unknown().optional(),
  });

  beforeAll(async () => {
    const router = Router();
    router.post('/items', (req, res) => {
      handled.push('POST /items');
      res.status(201).json(parseBody(anyStrings, req));
    });
    router.get('/items', (req, res) => {
      handled.push('GET /items');
      res.json(parseQuery(z.strictObject({ ...paginationQuery, q: z.string().optional() }), req));
    });
    router.get('/items/:name', (req, res) => {
      handled.push('GET /items/:name');
      res.json(parseParams(z.object({ name: z.string() }), req));
    });
    const app = createHttpApp({
      logger: createLogger('test', 'silent'),
      registry: createMetricsRegistry(),
      jsonLimit: '1kb',
      services: [
        {
          name: 'things',
          basePath: '/api/v1/things',
          router,
          openapi: {
            servers: [{ url: '/' }],
            paths: {
              '/api/v1/things/items': { post: {}, get: {} },
              '/api/v1/things/items/{name}': { get: {} },
            },
          },
          readiness: [],
          start: async () => undefined,
          stop: async () => undefined,
        },
        {
          // A document whose paths are relative to its server URL (as the users service writes it).
          name: 'people',
          basePath: '/api/v1/people',
          router: Router().get('/me', (_req, res) => {
            res.json({ me: true });
          }),
          openapi: { servers: [{ url: '/api/v1/people' }], paths: { '/me': { get: {} } } },
          readiness: [],
          start: async () => undefined,
          stop: async () => undefined,
        },
      ],
    });
    server = await startHttpServer({
      app,
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('test', 'silent'),
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    handled = [];
  });

  const call = (path: string, init?: RequestInit) => fetch(server.url + path, init);
  const postJsonText = (text: string) =>
    call('/api/v1/things/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });

  async function expectProblem(response: Response, status: number) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as { type: string; title: string; status: number; errors?: unknown };
    expect(body).toMatchObject({
      status,
      type: expect.stringMatching(/^https:\/\//),
      title: expect.any(String),
    });
    return body;
  }

  // JSON text as a client writes it: escapes, so the lone surrogates survive the wire.
  it.each([
    ['a lone high surrogate in a value', '{"title":"\\ud800"}', 'body.title'],
    ['a lone low surrogate in a value', '{"title":"x\\udfff"}', 'body.title'],
    ['a reversed pair in a value', '{"title":"\\udc00\\ud800"}', 'body.title'],
    ['NUL in a value', '{"title":"a\\u0000b"}', 'body.title'],
    ['a lone surrogate in an object key', '{"answers":{"\\ud800":"a"}}', 'body.answers.\\ud800'],
    ['NUL in an object key', '{"answers":{"q\\u0000":"a"}}', 'body.answers.q\\u0000'],
    ['a lone surrogate deep in arrays', '{"nested":[[{"a":["ok","\\udbff"]}]]}', 'body.nested.0.0.a.1'],
    ['a lone surrogate in an unknown field', '{"zzz":"\\ud800"}', 'body.zzz'],
  ])('answers 400 naming the field for %s, before the route runs', async (_name, text, path) => {
    const body = await expectProblem(await postJsonText(text), 400);
    expect(body.errors).toEqual([{ path, message: expect.any(String) }]);
    expect(handled).toEqual([]);
  });

  it('lets well-formed text through, emoji (surrogate pairs) included', async () => {
    const response = await postJsonText('{"title":"\\ud83d\\ude00 Café","answers":{"😀":"ü"}}');
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ title: '😀 Café', answers: { '😀': 'ü' } });
  });

  it.each([
    ['NUL in a query value', '/api/v1/things/items?q=a%00b', 'query.q'],
    ['NUL in a query key', '/api/v1/things/items?a%00=b', 'query.a\\u0000'],
    ['NUL in a path parameter', '/api/v1/things/items/a%00b', 'path./a%00b'],
    ['a surrogate encoded in a path parameter', '/api/v1/things/items/%ED%A0%80', 'path./%ED%A0%80'],
    ['invalid percent-encoding in the path', '/api/v1/things/items/%E0%A4%A', 'path./%E0%A4%A'],
  ])('answers 400 for %s, naming it', async (_name, url, path) => {
    const body = await expectProblem(await call(url), 400);
    expect(body.errors).toEqual([{ path, message: expect.any(String) }]);
    expect(handled).toEqual([]);
  });

  // requireWellFormedInput skips URLs without a '%' escape: these show what the raw request line
  // can carry instead, so that shortcut misses nothing.
  function rawRequest(requestLine: Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.end(
        Buffer.concat([requestLine, Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]),
      );
    });
  }

  it.each([
    ['a raw NUL', Buffer.from('GET /api/v1/things/items?q=a\u0000b', 'latin1')],
    // The UTF-8 encoding of a lone surrogate, sent unescaped.
    [
      'raw non-ASCII bytes',
      Buffer.concat([Buffer.from('GET /api/v1/things/items?q='), Buffer.from([0xed, 0xa0, 0x80])]),
    ],
  ])('never lets %s in the request line reach the app', async (_name, requestLine) => {
    const answer = await rawRequest(requestLine);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('application/problem+json');
    expect(handled).toEqual([]);
  });

  it('answers 405 problem+json with Allow for a known path asked with another method', async () => {
    const response = await call('/api/v1/things/items/abc', { method: 'DELETE' });
    await expectProblem(response, 405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    const collection = await call('/api/v1/things/items', { method: 'PUT' });
    await expectProblem(collection, 405);
    expect(collection.headers.get('allow')).toBe('GET, POST, HEAD');
    const health = await call('/healthz', { method: 'POST' });
    await expectProblem(health, 405);
    expect(health.headers.get('allow')).toBe('GET, HEAD');
    const relative = await call('/api/v1/people/me', { method: 'POST' });
    await expectProblem(relative, 405);
    expect(relative.headers.get('allow')).toBe('GET, HEAD');
    expect((await call('/api/v1/people/me')).status).toBe(200);
    // Unknown paths stay 404, and a documented method still reaches its route.
    await expectProblem(await call('/api/v1/things/nothing', { method: 'DELETE' }), 404);
    expect((await call('/api/v1/things/items/abc')).status).toBe(200);
    expect((await call('/api/v1/things/items/abc', { method: 'HEAD' })).status).toBe(200);
  });

  /** A raw request, for what fetch refuses to send (huge headers). */
  function rawStatus(path: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${server.url}${path}`, { method: 'GET', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('documents in commonProblems every status the kit can answer on any route', async () => {
    const statuses = new Set<number>();
    const json = { 'content-type': 'application/json' };
    const record = async (response: Response | Promise<Response>) => statuses.add((await response).status);
    await record(postJsonText('{"title":'));
    await record(postJsonText('{"title":"\\ud800"}'));
    await record(call('/api/v1/things/items?limit=0'));
    await record(call('/api/v1/things/items', { method: 'PATCH' }));
    await record(postJsonText(JSON.stringify({ title: 'x'.repeat(5000) })));
    await record(
      call('/api/v1/things/items', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }),
    );
    await record(
      call('/api/v1/things/items', {
        method: 'POST',
        headers: { ...json, 'content-type': 'application/json; charset=latin1' },
        body: '{}',
      }),
    );
    statuses.add(await rawStatus('/api/v1/things/items', { 'x-big': 'x'.repeat(64 * 1024) }));
    expect([...statuses].sort()).toEqual([400, 405, 413, 415, 431]);
    for (const status of statuses) {
      expect(kitProblems).toHaveProperty(String(status));
      expect(commonProblems).toHaveProperty(String(status));
    }
    expect(commonProblems).toHaveProperty('401');
  });
});
