import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { forgedCursors } from '@moocflix/platform-testing';
import { AssessmentsUnderTest } from '../../assessments/test/support/assessments-under-test';
import { essayQuestion } from '../../assessments/test/support/question-fixtures';
import { ContentUnderTest } from '../../content/test/support/content-under-test';
import { CoursesUnderTest } from '../../courses/test/support/courses-under-test';
import { NotificationsUnderTest } from '../../notifications/test/support/notifications-under-test';
import { startUsersService, type UsersTestService } from '../../users/test/users-test-service';

/*
 * Property: whatever a client sends to any route of any service — valid requests, nearly valid ones
 * and hostile ones (lone surrogates, NUL, huge numbers, wrong types, extra fields, long strings,
 * forged cursors, wrong methods, bad tokens) — the answer is never a 5xx, and every 4xx is
 * application/problem+json with type, title and status. Requests are generated from each
 * service's own OpenAPI document as it serves it, with real tokens of every role, against the
 * real services on the real stack (PostgreSQL, Kafka, S3). Runs are bounded so the file stays
 * within a couple of minutes on a loaded 2-core machine; FUZZ_RUNS raises them for a longer hunt.
 */
jest.setTimeout(600_000);

const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 150);

type Json = Record<string, unknown>;
type Schema = Json;

interface Target {
  name: string;
  url: string;
  document: Json;
  /** Bearer tokens by role; undefined = anonymous. */
  tokens: Record<string, string | undefined>;
  /** Real values for path parameters, by parameter name, so some requests reach deep code. */
  ids: Record<string, string[]>;
  /** Cursors of this service's lists: real ones and forged ones. */
  cursors: string[];
}

// --- hostile values -------------------------------------------------------------------------

const LONG = 'x'.repeat(20_000);
const HOSTILE_VALUES: unknown[] = [
  '\ud800',
  'x\udfff',
  '\udc00\ud800',
  'a\u0000b',
  '',
  ' ',
  LONG,
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '-1',
  'NaN',
  "'; DROP TABLE users; --",
  '../../etc/passwd',
  '😀',
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 53 + 2,
  1e308,
  -1e308,
  true,
  null,
  [],
  {},
  [[[['\ud800']]]],
  { a: { b: { c: 'a\u0000' } } },
];
const hostileValue = fc.constantFrom(...HOSTILE_VALUES);

/** Already percent-encoded: what a path segment can carry. */
const HOSTILE_SEGMENTS = [
  '%00',
  '%ED%A0%80',
  '%25',
  '%',
  '..',
  '%2e%2e',
  'x'.repeat(3000),
  '1e308',
  '-1',
  '0',
  '2147483648',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '%F0%9F%98%80',
  'null',
];

const HOSTILE_BODIES = [
  '{',
  '[]',
  'null',
  '"\\ud800"',
  '{"a":1,"a":2}',
  '1e999',
  `{"x":"${'y'.repeat(200_000)}"}`,
];

// --- JSON Schema → arbitrary --------------------------------------------------------------------

function resolve(document: Json, schema: Schema): Schema {
  let current = schema;
  for (let i = 0; i < 10 && typeof current.$ref === 'string'; i++) {
    const path = (current.$ref as string).replace(/^#\//, '').split('/');
    current = path.reduce<Json>((node, key) => node[key] as Json, document);
  }
  return current;
}

/**
 * Values of a JSON Schema (the subset the documents use). `hostile`: any node may instead be a
 * hostile value, an object may gain an unknown member or lose a required one.
 */
function fromSchema(document: Json, raw: Schema, hostile: boolean, depth = 0): fc.Arbitrary<unknown> {
  const valid = validFromSchema(document, resolve(document, raw), hostile, depth);
  return hostile ? fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: hostileValue }) : valid;
}

function validFromSchema(
  document: Json,
  schema: Schema,
  hostile: boolean,
  depth: number,
): fc.Arbitrary<unknown> {
  const child = (s: unknown) => fromSchema(document, s as Schema, hostile, depth + 1);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map(child));
  if (Array.isArray(schema.type)) {
    return fc.oneof(
      ...(schema.type as string[]).map((type) =>
        validFromSchema(document, { ...schema, type }, hostile, depth),
      ),
    );
  }
  const num = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  switch (schema.type) {
    case 'string': {
      const maxLength = Math.min(num('maxLength') ?? 40, 40);
      const minLength = Math.min(num('minLength') ?? 0, maxLength);
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time') {
        return fc
          .date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      }
      if (schema.format === 'email')
        return fc.emailAddress().filter((e) => e.length <= (num('maxLength') ?? 254));
      if (typeof schema.pattern === 'string') {
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => s.length >= minLength && s.length <= (num('maxLength') ?? Infinity));
      }
      return fc.oneof(
        fc.string({ minLength, maxLength }),
        fc.string({ minLength, maxLength, unit: 'binary' }),
      );
    }
    case 'integer':
      return fc.integer({
        min: Math.max(num('minimum') ?? -1000, -(2 ** 31)),
        max: Math.min(num('maximum') ?? 1000, 2 ** 31 - 1),
      });
    case 'number': {
      const min = num('minimum') ?? num('exclusiveMinimum') ?? -1000;
      const max = num('maximum') ?? 1000;
      return fc
        .double({ min, max, noNaN: true, noDefaultInfinity: true })
        .filter((v) => num('exclusiveMinimum') === undefined || v > num('exclusiveMinimum')!);
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 4) return fc.constant([]);
      const minLength = num('minItems') ?? 0;
      return fc.array(child(schema.items ?? {}), {
        minLength,
        maxLength: Math.max(minLength, Math.min(num('maxItems') ?? 3, 3)),
      });
    }
    case 'object': {
      if (depth > 4) return fc.constant({});
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      const members = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, child(s)]));
      let object: fc.Arbitrary<Json> = fc.record(members, {
        requiredKeys: required.filter((k) => k in members),
      }) as fc.Arbitrary<Json>;
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        const keys = schema.propertyNames
          ? (child(schema.propertyNames) as fc.Arbitrary<string>).filter((k) => typeof k === 'string')
          : fc.string({ maxLength: 20 });
        const extra = fc.dictionary(keys, child(schema.additionalProperties), { maxKeys: 3 });
        object = fc.tuple(object, extra).map(([a, b]) => ({ ...b, ...a }));
      }
      if (!hostile) return object;
      // Nearly valid: an unknown member (its key hostile too, sometimes), or a required one missing.
      return fc.oneof(
        { weight: 4, arbitrary: object },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              object,
              fc.constantFrom('extra', '\ud800', 'a\u0000', '__proto__', 'constructor'),
              hostileValue,
            )
            .map(([o, key, value]) => ({ ...o, [key]: value })),
        },
        {
          weight: 1,
          arbitrary: fc.tuple(object, fc.nat()).map(([o, n]) => {
            const copy = { ...o };
            if (required.length > 0) delete copy[required[n % required.length]!];
            return copy;
          }),
        },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

// --- requests -----------------------------------------------------------------------------------

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface Operation {
  method: string;
  path: string;
  parameters: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  body?: { type: 'json' | 'multipart'; schema: Schema };
}

function operationsOf(document: Json): Operation[] {
  const server = (((document.servers as Json[] | undefined)?.[0]?.url as string | undefined) ?? '/').replace(
    /\/$/,
    '',
  );
  return Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((m) => m in item).map((method) => {
      const operation = item[method] as Json;
      const content = ((operation.requestBody as Json | undefined)?.content ?? {}) as Record<
        string,
        { schema: Schema }
      >;
      const body = content['application/json']
        ? { type: 'json' as const, schema: content['application/json'].schema }
        : content['multipart/form-data']
          ? { type: 'multipart' as const, schema: content['multipart/form-data'].schema }
          : undefined;
      return {
        method: method.toUpperCase(),
        path: server + path,
        parameters: [
          ...((item.parameters ?? []) as Operation['parameters']),
          ...((operation.parameters ?? []) as Operation['parameters']),
        ],
        body,
      };
    }),
  );
}

const encodeQueryValue = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate cannot be percent-encoded as UTF-8; send the bytes of one.
    return '%ED%A0%80';
  }
};

interface GeneratedRequest {
  method: string;
  url: string;
  token: string | undefined;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

function multipart(fields: Json): { body: Buffer; contentType: string } {
  const boundary = `----fuzz-${randomBytes(6).toString('hex')}`;
  const parts = Object.entries(fields)
    .filter(([name]) => name !== 'file')
    .map(
      ([name, value]) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${typeof value === 'string' ? value : JSON.stringify(value)}\r\n`,
    );
  const file = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return {
    body: Buffer.concat([
      Buffer.from(parts.join('') + file),
      randomBytes(512),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

function requestArbitrary(target: Target, operation: Operation): fc.Arbitrary<GeneratedRequest> {
  const document = target.document;
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const segment = (name: string) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...(target.ids[name] ?? [randomUUID()])) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
    );
  const queryValue = (param: Operation['parameters'][number]) =>
    param.name === 'cursor'
      ? fc.constantFrom(...target.cursors)
      : fromSchema(document, param.schema ?? {}, true).map(encodeQueryValue);
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, queryValue(p)])), {
    requiredKeys: [],
  });
  const extraQuery = fc.option(
    fc.constantFrom('x=1', '%00=1', 'limit=1e400', 'cursor=%00', `q=${'z'.repeat(5000)}`),
    { freq: 5 },
  );
  const body: fc.Arbitrary<{ text: string | Buffer | undefined; contentType?: string }> = operation.body
    ? fc.oneof(
        {
          weight: 3,
          arbitrary: fromSchema(document, operation.body.schema, false).map((v) => encodeBody(operation, v)),
        },
        {
          weight: 3,
          arbitrary: fromSchema(document, operation.body.schema, true).map((v) => encodeBody(operation, v)),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(...HOSTILE_BODIES)
            .map((text) => ({ text, contentType: 'application/json' })),
        },
        { weight: 1, arbitrary: fc.constant({ text: 'a=1', contentType: 'text/plain' }) },
        { weight: 1, arbitrary: fc.constant({ text: undefined }) },
      )
    : fc.oneof(
        { weight: 4, arbitrary: fc.constant({ text: undefined }) },
        {
          weight: 1,
          arbitrary: hostileValue.map((v) => ({
            text: JSON.stringify({ v }),
            contentType: 'application/json',
          })),
        },
      );
  const method = fc.oneof(
    { weight: 9, arbitrary: fc.constant(operation.method) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH') },
  );
  const token = fc.constantFrom(...Object.keys(target.tokens));
  return fc
    .record({
      method,
      segments: fc.tuple(...pathParams.map((p) => segment(p.name))),
      query,
      extraQuery,
      body,
      role: token,
    })
    .map(({ method: m, segments, query: q, extraQuery: extra, body: b, role }): GeneratedRequest => {
      let path = operation.path;
      pathParams.forEach((p, i) => {
        path = path.replace(`{${p.name}}`, segments[i] as string);
      });
      const search = [
        ...Object.entries(q).map(([k, v]) => `${k}=${v as string}`),
        ...(extra ? [extra] : []),
      ].join('&');
      // fetch sends no body with GET.
      const sendsBody = m !== 'GET';
      return {
        method: m,
        url: `${target.url}${path}${search ? `?${search}` : ''}`,
        token: target.tokens[role],
        headers: b.contentType && sendsBody ? { 'content-type': b.contentType } : {},
        body: sendsBody ? b.text : undefined,
      };
    });
}

function encodeBody(operation: Operation, value: unknown): { text: string | Buffer; contentType: string } {
  if (operation.body?.type === 'multipart' && value && typeof value === 'object' && !Array.isArray(value)) {
    const { body, contentType } = multipart(value as Json);
    return { text: body, contentType };
  }
  return { text: JSON.stringify(value) ?? 'null', contentType: 'application/json' };
}

async function send(request: GeneratedRequest) {
  const response = await fetch(request.url, {
    method: request.method,
    headers: { ...request.headers, ...(request.token ? { authorization: `Bearer ${request.token}` } : {}) },
    body: request.body,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

/** The property itself: never a 5xx; every 4xx problem+json with type, title and status. */
function violation(response: { status: number; contentType: string; text: string }): string | undefined {
  if (response.status >= 500) return `answered ${response.status}`;
  if (response.status < 400) return undefined;
  if (!/^application\/problem\+json/.test(response.contentType))
    return `${response.status} as ${response.contentType}`;
  let body: Json;
  try {
    body = JSON.parse(response.text) as Json;
  } catch {
    return `${response.status} with a body that is not JSON`;
  }
  if (typeof body.type !== 'string' || typeof body.title !== 'string' || body.status !== response.status) {
    return `${response.status} problem without type/title/status`;
  }
  return undefined;
}

// --- the platform under test --------------------------------------------------------------------

const targets: Target[] = [];
const closers: Array<() => Promise<void>> = [];

async function documentOf(url: string, basePath: string): Promise<Json> {
  const response = await fetch(`${url}${basePath}/openapi.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

async function startUsers(): Promise<Target> {
  const admin = { email: `admin-${randomUUID()}@example.org`, password: 'violet kettle on the moon' };
  const service: UsersTestService = await startUsersService({
    USERS_BOOTSTRAP_ADMIN_EMAIL: admin.email,
    USERS_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
  });
  closers.push(() => service.close());
  const login = async (email: string, password: string) => {
    const response = await service.request('POST', '/api/v1/users/login', { body: { email, password } });
    expect(response.status).toBe(200);
    return response.body.accessToken as string;
  };
  const tokens: Target['tokens'] = {
    anonymous: undefined,
    garbage: 'not.a.token',
    admin: await login(admin.email, admin.password),
  };
  for (const role of ['student', 'instructor']) {
    const email = `${role}-${randomUUID()}@example.org`;
    const created = await service.request('POST', '/api/v1/users/signup', {
      body: { email, password: admin.password, name: role, role },
    });
    expect(created.status).toBe(201);
    tokens[role] = await login(email, admin.password);
  }
  return {
    name: 'users',
    url: service.url,
    document: await documentOf(service.url, '/api/v1/users'),
    tokens,
    ids: {},
    cursors: ['x'],
  };
}

const roleTokens = async (app: {
  user(role: 'student' | 'instructor' | 'admin'): Promise<{ token: string }>;
}) => ({
  anonymous: undefined,
  garbage: 'not.a.token',
  student: (await app.user('student')).token,
  instructor: (await app.user('instructor')).token,
  admin: (await app.user('admin')).token,
});

const FORGED = forgedCursors(
  { t: '2026-01-01T00:00:00.000Z', id: randomUUID(), p: 1 },
  { t: 'timestamp', id: 'uuid', p: 'integer' },
).map(([, cursor]) => cursor);

async function startCourses(): Promise<Target> {
  const app = await CoursesUnderTest.start('fuzz');
  closers.push(() => app.close());
  const [owner, student] = await app.users('instructor', 'student');
  const courses = [
    await app.createCourse(owner, { published: true }),
    await app.createCourse(owner, { published: true }),
  ];
  const module = await app.request('POST', `/${courses[0].id}/modules`, owner, { body: { title: 'M' } });
  await app.request('POST', `/${courses[0].id}/enroll`, student);
  const page = await app.request('GET', '?limit=1', owner);
  return {
    name: 'courses',
    url: app.service.url,
    document: await documentOf(app.service.url, '/api/v1/courses'),
    tokens: { ...(await roleTokens(app)), owner: owner.token, enrolled: student.token },
    ids: { id: courses.map((c) => c.id as string), moduleId: [module.body.id as string] },
    cursors: [page.body.nextCursor as string, ...FORGED],
  };
}

async function startContent(): Promise<Target> {
  const app = await ContentUnderTest.start('fuzz');
  closers.push(() => app.close());
  const owner = await app.user('instructor');
  const courseId = await app.knownCourse(owner);
  return {
    name: 'content',
    url: app.service.url,
    document: await documentOf(app.service.url, '/api/v1/content'),
    tokens: { ...(await roleTokens(app)), owner: owner.token },
    ids: {
      videoId: [randomUUID()],
      courseId: [courseId],
      path: ['720p/index.m3u8', 'master.m3u8', '..%2F..%2Fx'],
    },
    cursors: FORGED,
  };
}

async function startAssessments(): Promise<Target> {
  const app = await AssessmentsUnderTest.start('fuzz');
  closers.push(() => app.close());
  const [owner, student] = await app.users('instructor', 'student');
  const courseId = await app.course(owner, [student]);
  const quiz = await app.createAssessment(owner, courseId, { questions: [essayQuestion] });
  await app.createAssessment(owner, courseId, { questions: [essayQuestion] });
  const submission = await app.request('POST', `/${quiz.id}/submit`, student, {
    body: { answers: { [quiz.questions[0].id]: 'An essay' } },
  });
  const page = await app.request('GET', `?courseId=${courseId}&limit=1`, owner);
  return {
    name: 'assessments',
    url: app.service.url,
    document: await documentOf(app.service.url, '/api/v1/assessments'),
    tokens: { ...(await roleTokens(app)), owner: owner.token, enrolled: student.token },
    ids: {
      id: [quiz.id as string],
      submissionId: [submission.body.id as string],
      attempt: ['1', '2'],
      courseId: [courseId],
    },
    cursors: [page.body.nextCursor as string, ...FORGED],
  };
}

async function startNotifications(): Promise<Target> {
  const app = await NotificationsUnderTest.start('fuzz');
  closers.push(() => app.close());
  return {
    name: 'notifications',
    url: app.service.url,
    document: await documentOf(app.service.url, '/api/v1/notifications'),
    tokens: await roleTokens(app),
    ids: { id: [randomUUID()] },
    cursors: FORGED,
  };
}

beforeAll(async () => {
  // One after another: services starting together race to create the same Kafka topics.
  for (const start of [startUsers, startCourses, startContent, startAssessments, startNotifications]) {
    targets.push(await start());
  }
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(closers.map((close) => close()));
});

// Routes that end the caller's session run last, so the others are tried with live tokens.
const sessionEnding = (operation: Operation) => /\/(logout|deactivate)$/.test(operation.path);

it('every route of every service: never a 5xx, every 4xx is problem+json', async () => {
  expect(targets.map((t) => t.name)).toEqual(['users', 'courses', 'content', 'assessments', 'notifications']);
  const failures: string[] = [];
  let requests = 0;
  const statuses = new Map<number, number>();
  for (const target of targets) {
    const operations = operationsOf(target.document).sort(
      (a, b) => Number(sessionEnding(a)) - Number(sessionEnding(b)),
    );
    expect(operations.length).toBeGreaterThan(2);
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(target, operation), async (request) => {
          requests++;
          const response = await send(request);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const problem = violation(response);
          if (problem) {
            failures.push(
              `${target.name} ${operation.method} ${operation.path}: ${problem} for ${request.method} ${request.url.slice(0, 300)} ${String(request.body ?? '').slice(0, 300)}`,
            );
          }
        }),
        { numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    }
  }
  if (process.env.FUZZ_STATS) console.log([...statuses].sort(([a], [b]) => a - b));
  expect(failures).toEqual([]);
  // Valid requests get through too, so the property was checked beyond input validation.
  expect([...statuses.keys()].filter((status) => status < 300).length).toBeGreaterThan(0);
  expect(requests).toBeGreaterThanOrEqual(RUNS_PER_OPERATION * 30);
});
