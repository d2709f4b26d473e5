import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { HttpProblem } from '@moocflix/platform-core/errors';
import { createHttpApp, startHttpServer, type RunningServer } from '../http';
import { TestTokenIssuer, type TestTokenClaims } from '@moocflix/platform-testing';
import { createAuthenticator, getAuth } from './authenticator';
import { InMemoryRevocationList } from './revocation-list';
import type { Authenticator, Role } from './types';

const logger = pino({ level: 'silent' });
const issuer = new TestTokenIssuer();
const student: TestTokenClaims = { role: 'student', userId: 'user-1' };

let revocations: InMemoryRevocationList;
let auth: Authenticator;
let server: RunningServer;

/** A service whose routes use the authenticator the way real services will. */
function demoRouter(authenticator: Authenticator): express.Router {
  const router = express.Router();
  router.get('/me', authenticator.requireAuth, (req, res) => {
    res.json(getAuth(req));
  });
  router.get('/admin', authenticator.requireAuth, authenticator.requireRole('admin'), (_req, res) => {
    res.json({ ok: true });
  });
  router.get(
    '/staff',
    authenticator.requireAuth,
    authenticator.requireRole('instructor', 'admin'),
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  // Misuse: a role check without requireAuth in front must not let anyone through.
  router.get('/role-only', authenticator.requireRole('student'), (_req, res) => {
    res.json({ ok: true });
  });
  return router;
}

beforeAll(async () => {
  revocations = new InMemoryRevocationList();
  auth = createAuthenticator({
    issuer: issuer.issuer,
    audience: issuer.audience,
    publicKeys: issuer.jwks,
    revocations,
    logger,
  });
  const app = createHttpApp({
    logger,
    registry: new Registry(),
    services: [
      {
        name: 'demo',
        basePath: '/api/v1/demo',
        router: demoRouter(auth),
        openapi: {},
        readiness: [],
        start: async () => {},
        stop: async () => {},
      },
    ],
  });
  server = await startHttpServer({ app, port: 0, host: '127.0.0.1', logger });
});

afterAll(() => server.close());

async function call(path: string, authorization?: string) {
  const res = await fetch(`${server.url}/api/v1/demo${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

async function expectUnauthorized(path: string, authorization: string | undefined, detail: string) {
  const res = await call(path, authorization);
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  expect(res.body).toEqual({
    type: 'https://moocflix.io/problems/unauthorized',
    title: 'Unauthorized',
    status: 401,
    detail,
    instance: `/api/v1/demo${path}`,
  });
}

describe('requireAuth rejects with 401 problem+json', () => {
  test('no Authorization header', async () => {
    await expectUnauthorized('/me', undefined, 'bearer token required');
  });

  test.each([
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['scheme without a token', 'Bearer'],
    ['scheme with a blank token', 'Bearer    '],
    ['two tokens', 'Bearer abc def'],
    ['a token without a scheme', 'eyJhbGciOiJFZERTQSJ9.e30.sig'],
  ])('malformed header: %s', async (_name, header) => {
    await expectUnauthorized('/me', header, 'malformed Authorization header; expected "Bearer <token>"');
  });

  test('a bearer value that is not a JWT', async () => {
    await expectUnauthorized('/me', 'Bearer not-a-jwt', 'invalid token');
  });

  const invalid: Array<[string, () => Promise<string> | string]> = [
    ['alg: none', () => issuer.forgeAlgNone(student)],
    ['HS256 signed with the public key', () => issuer.forgeHs256WithPublicKey(student)],
    ['wrong issuer', () => issuer.sign({ ...student, issuer: 'someone-else' })],
    ['wrong audience', () => issuer.sign({ ...student, audience: 'another-platform' })],
    ['unknown kid', () => issuer.signWithUnknownKid(student)],
    ['no kid', () => issuer.signWithoutKid(student)],
    ['forged signature (another key, same kid)', () => issuer.signWithForeignKey(student)],
    ['a role outside ROLES', () => issuer.sign({ ...student, role: 'superuser' as Role })],
    ['typ JWT: a token, but not an access token', () => issuer.signWithType(student, 'JWT')],
    ['no typ at all', () => issuer.signWithType(student, null)],
    ['issued an hour in the future', () => issuer.sign({ ...student, issuedAt: nowSeconds() + 3600 })],
    [
      'a payload tampered after signing',
      async () => tamperPayload(await issuer.sign(student), { role: 'admin' }),
    ],
  ];
  test.each(invalid)('%s', async (_name, makeToken) => {
    await expectUnauthorized('/me', `Bearer ${await makeToken()}`, 'invalid token');
  });

  test('expired token', async () => {
    await expectUnauthorized('/me', `Bearer ${await issuer.signExpired(student)}`, 'token expired');
  });

  test('a token revoked by jti (logout)', async () => {
    const token = await issuer.sign({ ...student, jti: 'logged-out' });
    expect((await call('/me', `Bearer ${token}`)).status).toBe(200);
    revocations.revokeToken('logged-out', nowSeconds() + 900);
    await expectUnauthorized('/me', `Bearer ${token}`, 'token revoked');
  });

  test('tokens revoked user-wide (password change): issued at or before the cut-off die, later ones live', async () => {
    const cutOff = nowSeconds() - 10;
    const claims = { role: 'student' as const, userId: 'user-changed-password' };
    const before = await issuer.sign({ ...claims, issuedAt: cutOff - 60 });
    const sameSecond = await issuer.sign({ ...claims, issuedAt: cutOff });
    const after = await issuer.sign({ ...claims, issuedAt: cutOff + 1 });
    const otherUser = await issuer.sign({ role: 'student', userId: 'someone-else', issuedAt: cutOff - 60 });
    revocations.revokeUserTokens(claims.userId, cutOff, nowSeconds() + 900);

    await expectUnauthorized('/me', `Bearer ${before}`, 'token revoked');
    await expectUnauthorized('/me', `Bearer ${sameSecond}`, 'token revoked');
    expect((await call('/me', `Bearer ${after}`)).status).toBe(200);
    expect((await call('/me', `Bearer ${otherUser}`)).status).toBe(200);
  });

  test('the answer never carries a stack trace or the verifier internals', async () => {
    const res = await call(
      '/me',
      `Bearer ${await issuer.sign({ ...student, audience: 'another-platform' })}`,
    );
    expect(res.text).not.toMatch(/aud|claim|jose|JWS|at .*\.js/i);
  });
});

describe('requireAuth accepts a valid token', () => {
  test('and exposes the caller as req.auth', async () => {
    const iat = nowSeconds();
    const token = await issuer.sign({
      role: 'instructor',
      userId: 'user-42',
      jti: 'token-42',
      issuedAt: iat,
      expiresInSeconds: 600,
    });
    const res = await call('/me', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: 'user-42',
      role: 'instructor',
      tokenId: 'token-42',
      issuedAt: iat,
      expiresAt: iat + 600,
    });
  });

  test('with the scheme in any case and extra spaces', async () => {
    const token = await issuer.sign(student);
    expect((await call('/me', `bearer ${token}`)).status).toBe(200);
    expect((await call('/me', `BEARER   ${token}`)).status).toBe(200);
  });

  test('that expired within the clock tolerance', async () => {
    const token = await issuer.sign({ ...student, issuedAt: nowSeconds() - 602, expiresInSeconds: 600 });
    expect((await call('/me', `Bearer ${token}`)).status).toBe(200);
  });
});

describe('requireRole', () => {
  test('403 problem+json when the role is not allowed', async () => {
    const res = await call('/admin', `Bearer ${await issuer.sign(student)}`);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'https://moocflix.io/problems/forbidden',
      title: 'Forbidden',
      status: 403,
    });
    expect(res.body.detail).toBe('This requires the role admin');
  });

  test('lets any of the listed roles through', async () => {
    expect((await call('/staff', `Bearer ${await issuer.sign({ role: 'instructor' })}`)).status).toBe(200);
    expect((await call('/staff', `Bearer ${await issuer.sign({ role: 'admin' })}`)).status).toBe(200);
    expect((await call('/staff', `Bearer ${await issuer.sign({ role: 'student' })}`)).status).toBe(403);
  });

  test('401, not a pass, when used without requireAuth', async () => {
    await expectUnauthorized(
      '/role-only',
      `Bearer ${await issuer.sign(student)}`,
      'A valid bearer token is required',
    );
  });
});

describe('verify', () => {
  test('returns the auth context of a valid token', async () => {
    const context = await auth.verify(await issuer.sign({ role: 'admin', userId: 'root' }));
    expect(context).toMatchObject({ userId: 'root', role: 'admin' });
  });

  test('concurrent first requests with one token all pass; revoked meanwhile, all are refused', async () => {
    const token = await issuer.sign({ ...student, jti: 'parallel-page-load' });
    const contexts = await Promise.all(Array.from({ length: 8 }, () => auth.verify(token)));
    expect(contexts.map((c) => c.tokenId)).toEqual(Array(8).fill('parallel-page-load'));

    // A logout that lands while the token's (shared) verification is still running.
    const late = await issuer.sign({ ...student, jti: 'revoked-in-flight' });
    const waiting = Array.from({ length: 8 }, () => auth.verify(late));
    revocations.revokeToken('revoked-in-flight', nowSeconds() + 900);
    for (const outcome of waiting)
      await expect(outcome).rejects.toMatchObject({ status: 401, detail: 'token revoked' });
  });

  test('throws a 401 HttpProblem for an invalid token', async () => {
    const error = await auth.verify(issuer.forgeAlgNone(student)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpProblem);
    expect(error).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': 'Bearer' } });
  });

  test('refuses a token another authenticator with a different audience accepts', async () => {
    const other = createAuthenticator({
      issuer: issuer.issuer,
      audience: 'moocflix-admin',
      publicKeys: issuer.jwks,
      revocations: new InMemoryRevocationList(),
      logger,
    });
    const token = await issuer.sign(student);
    await expect(other.verify(token)).rejects.toMatchObject({ status: 401 });
    await expect(auth.verify(token)).resolves.toMatchObject({ userId: 'user-1' });
  });
});

describe('createAuthenticator refuses unsafe configuration', () => {
  const base = {
    issuer: 'i',
    audience: 'a',
    publicKeys: issuer.jwks,
    revocations: new InMemoryRevocationList(),
    logger,
  };

  test.each([['none'], ['HS256'], ['HS512']])('algorithm %s', (alg) => {
    expect(() => createAuthenticator({ ...base, algorithms: [alg] })).toThrow(/not an allowed asymmetric/);
  });

  test('no algorithm at all', () => {
    expect(() => createAuthenticator({ ...base, algorithms: [] })).toThrow(/at least one algorithm/);
  });

  test('both or neither key sources', () => {
    expect(() => createAuthenticator({ ...base, jwksUrl: 'http://127.0.0.1:1/jwks.json' })).toThrow(
      /exactly one/,
    );
    expect(() => createAuthenticator({ ...base, publicKeys: undefined })).toThrow(/exactly one/);
  });

  test('a key set holding private or symmetric key material', () => {
    const [key] = issuer.jwks.keys;
    expect(() => createAuthenticator({ ...base, publicKeys: { keys: [{ ...key, d: 'c2VjcmV0' }] } })).toThrow(
      /private or symmetric/,
    );
    expect(() =>
      createAuthenticator({ ...base, publicKeys: { keys: [{ kty: 'oct', kid: 'k1', k: 'c2VjcmV0' }] } }),
    ).toThrow(/private or symmetric/);
  });

  test('a key without kid', () => {
    const [key] = issuer.jwks.keys;
    expect(() =>
      createAuthenticator({ ...base, publicKeys: { keys: [{ ...key, kid: undefined }] } }),
    ).toThrow(/needs a kid/);
  });
});

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function tamperPayload(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...changes };
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}
