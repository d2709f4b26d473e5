/**
 * Sessions: login, the published keys, forged tokens, logout and revocation — in this service and in
 * a second service that only has the kit's middleware. Login throttling: login-throttle.int.test.ts.
 */
import { createHmac, createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import express from 'express';
import {
  createAuthenticator,
  getAuth,
  InMemoryRevocationList,
  startRevocationFeed,
  type RevocationFeed,
} from '@moocflix/platform-http/auth';
import { KafkaEventBus, Topics } from '@moocflix/platform-bus';
import { createHttpApp, startHttpServer, type RunningServer } from '@moocflix/platform-http';
import { createLogger } from '@moocflix/platform-core/log';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';
import { kafkaTestBus } from '@moocflix/platform-testing';
import { waitFor } from '../../../e2e/stack/control';
import {
  BASE,
  clientIp,
  expectProblem,
  logIn,
  outboxRows,
  PASSWORD,
  signUp,
  uniqueEmail,
  userRow,
} from './fixtures';
import { KafkaEventRecorder } from './kafka-event-recorder';
import { AUDIENCE, ISSUER, startUsersService, type UsersTestService } from './users-test-service';

import * as jose from 'jose';

// jest.config.js sets testTimeout per project, which jest ignores (it is a global option): the
// 5 s default is too short for joining Kafka groups on a loaded machine.
jest.setTimeout(60_000);

let service: UsersTestService;
const events = new KafkaEventRecorder();

beforeAll(async () => {
  await events.start();
  service = await startUsersService();
});

afterAll(async () => {
  await service?.close();
  await events.stop();
});

const login = (email: string, password: string, ip = clientIp()) =>
  service.request('POST', `${BASE}/login`, { body: { email, password }, headers: { 'x-forwarded-for': ip } });

const profile = (token: string) => service.request('GET', `${BASE}/profile`, { token });

/** The service's own signing key, as a cluster Secret would hold it: lets tests make expired or mis-addressed but well-signed tokens. */
const realSigningKey = () => {
  const jwk = JSON.parse(service.ctx.env.JWT_PRIVATE_JWKS!).keys[0];
  return {
    kid: jwk.kid as string,
    key: createPrivateKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, format: 'jwk' }),
  };
};

describe('POST /login', () => {
  test('200 with a short-lived EdDSA access token that verifies against the published JWKS', async () => {
    const { id, email } = await signUp(service, { role: 'instructor' });
    const ip = clientIp();
    const res = await login(email.toUpperCase(), PASSWORD, ip);

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
    });
    expect(res.body.expiresIn).toBeGreaterThan(890);
    expect(res.body.expiresIn).toBeLessThanOrEqual(901);

    const jwks = (await service.request('GET', `${BASE}/.well-known/jwks.json`)).body;
    const { payload, protectedHeader } = await jose.jwtVerify(
      res.body.accessToken,
      jose.createLocalJWKSet(jwks),
      {
        algorithms: ['EdDSA'],
        issuer: ISSUER,
        audience: AUDIENCE,
      },
    );
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: service.publicJwks.keys[0]!.kid, typ: 'at+jwt' });
    expect(payload).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: id,
      role: 'instructor',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(payload.exp! - payload.iat!).toBe(900);

    // The success cleared its (account, address) counter and took its attempt back from the others
    // (login-throttle.int.test.ts has the throttle); nothing else about the account changed or was announced.
    const counters = await service.pool.query(
      'SELECT bucket, failures FROM login_throttle WHERE bucket LIKE $1',
      [`%${email}`],
    );
    expect(counters.rows).toEqual([{ bucket: `login:account:${email}`, failures: 0 }]);
    expect((await userRow(service, id)).status).toBe('active');
    expect(await outboxRows(service, Topics.UserUpdate, id)).toHaveLength(0);
    expect(await outboxRows(service, Topics.SessionRevoked, id)).toHaveLength(0);
  });

  test('wrong password, unknown email and deactivated account get the same 401', async () => {
    const { email } = await signUp(service);
    const gone = await signUp(service);
    expect(
      (
        await service.request('DELETE', `${BASE}/deactivate`, {
          token: await logIn(service, gone.email, PASSWORD),
        })
      ).status,
    ).toBe(204);

    const answers = [
      await login(email, 'not the password at all'),
      await login(uniqueEmail('nobody'), PASSWORD),
      await login(gone.email, PASSWORD),
    ];
    for (const res of answers) {
      expectProblem(res, 401);
      const { instance: _instance, ...rest } = res.body;
      expect(rest).toEqual({
        type: 'https://moocflix.io/problems/unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: 'invalid email or password',
      });
    }
  });

  test('an unknown email costs about as much as a wrong password (a dummy hash is verified)', async () => {
    // CPU time of this process (the service runs in it, argon2 on its worker threads) rather than
    // wall time, which the load of a shared machine blurs beyond use.
    const accounts = await Promise.all([1, 2, 3, 4, 5].map(() => signUp(service)));
    const cpuMs = async (email: string) => {
      const start = process.cpuUsage();
      expect((await login(email, 'not the password at all')).status).toBe(401);
      const { user, system } = process.cpuUsage(start);
      return (user + system) / 1000;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const wrongPassword: number[] = [];
    const unknownEmail: number[] = [];
    for (const account of accounts) {
      wrongPassword.push(await cpuMs(account.email));
      unknownEmail.push(await cpuMs(uniqueEmail('nobody')));
    }
    // Without the dummy verification an unknown email costs a few ms, an argon2 verification tens.
    expect(median(unknownEmail)).toBeGreaterThan(median(wrongPassword) * 0.45);
  });

  test('a hash made with older argon2 parameters is upgraded on a successful login', async () => {
    const { id, email } = await signUp(service);
    const oldHash = await hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 3, parallelism: 1 });
    await service.pool.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, oldHash]);

    expect((await login(email, PASSWORD)).status).toBe(200);
    const upgraded = (await userRow(service, id)).password_hash;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(email, PASSWORD)).status).toBe(200);
    expect((await userRow(service, id)).password_hash).toBe(upgraded);
  });

  test.each([
    ['no body', undefined],
    ['an empty object', {}],
    ['a missing password', { email: 'a@example.org' }],
    ['a malformed email', { email: 'a', password: PASSWORD }],
    ['an empty password', { email: 'a@example.org', password: '' }],
    ['a 2000-character password', { email: 'a@example.org', password: 'p'.repeat(2000) }],
    ['an unknown field', { email: 'a@example.org', password: PASSWORD, remember: true }],
    ['a JSON array', [{ email: 'a@example.org', password: PASSWORD }]],
    ['malformed JSON', '{"email"'],
  ])('400 problem+json for %s', async (_name, body) => {
    const res = await service.request('POST', `${BASE}/login`, body === undefined ? {} : { body });
    expectProblem(res, 400);
  });

  test('413 for an oversized body', async () => {
    expectProblem(
      await service.request('POST', `${BASE}/login`, {
        body: { email: 'a@example.org', password: 'p'.repeat(200_000) },
      }),
      413,
    );
  });
});

describe('GET /.well-known/jwks.json', () => {
  test('publishes the public key with kid, alg and use, and no private member', async () => {
    const res = await service.request('GET', `${BASE}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(service.publicJwks);
    for (const key of res.body.keys) {
      expect(key).toEqual({
        kty: 'OKP',
        crv: 'Ed25519',
        x: expect.any(String),
        kid: expect.any(String),
        alg: 'EdDSA',
        use: 'sig',
      });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
    }
  });
});

describe('forged and invalid tokens are refused with 401', () => {
  let userId: string;
  const claims = () => ({ iss: ISSUER, aud: AUDIENCE, sub: userId, role: 'admin', jti: randomUUID() });
  const base64url = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');

  beforeAll(async () => {
    userId = (await signUp(service)).id;
  });

  const forgeries: Array<[string, () => Promise<string>]> = [
    [
      'alg none',
      async () =>
        `${base64url({ alg: 'none', typ: 'at+jwt', kid: realSigningKey().kid })}.${base64url({ ...claims(), iat: 1, exp: 4_000_000_000 })}.`,
    ],
    [
      'signed by another key under the real kid',
      () =>
        new jose.SignJWT(claims())
          .setProtectedHeader({ alg: 'EdDSA', kid: realSigningKey().kid, typ: 'at+jwt' })
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(generateKeyPairSync('ed25519').privateKey),
    ],
    [
      'HS256 keyed with the published public key',
      async () => {
        const input = `${base64url({ alg: 'HS256', typ: 'at+jwt', kid: realSigningKey().kid })}.${base64url({ ...claims(), iat: 1, exp: 4_000_000_000 })}`;
        const secret = Buffer.from(service.publicJwks.keys[0]!.x, 'base64url');
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      },
    ],
    [
      'expired (real key)',
      () =>
        new jose.SignJWT(claims())
          .setProtectedHeader({ alg: 'EdDSA', kid: realSigningKey().kid, typ: 'at+jwt' })
          .setIssuedAt(Math.floor(Date.now() / 1000) - 2000)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 1100)
          .sign(realSigningKey().key),
    ],
    [
      'for another audience (real key)',
      () =>
        new jose.SignJWT({ ...claims(), aud: 'another-platform' })
          .setProtectedHeader({ alg: 'EdDSA', kid: realSigningKey().kid, typ: 'at+jwt' })
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(realSigningKey().key),
    ],
    [
      'from another issuer (real key)',
      () =>
        new jose.SignJWT({ ...claims(), iss: 'someone-else' })
          .setProtectedHeader({ alg: 'EdDSA', kid: realSigningKey().kid, typ: 'at+jwt' })
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(realSigningKey().key),
    ],
    [
      'a real token whose payload was edited',
      async () => {
        const { email } = await signUp(service);
        const [header, payload, signature] = (await logIn(service, email, PASSWORD)).split('.');
        const edited = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' };
        return `${header}.${base64url(edited)}.${signature}`;
      },
    ],
  ];

  test.each(forgeries)('%s', async (_name, forge) => {
    const res = await profile(await forge());
    expectProblem(res, 401);
    expect(res.text).not.toMatch(/jose|JWS|claim/i);
  });
});

describe('POST /logout', () => {
  test('204: the token is revoked in the database and at once here, Session-Revoked reaches Kafka; other sessions live on', async () => {
    const { id, email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    const otherSession = await logIn(service, email, PASSWORD);
    const { jti, exp } = jose.decodeJwt(token);

    const res = await service.request('POST', `${BASE}/logout`, { token });
    expect(res.status).toBe(204);

    const { rows } = await service.pool.query(
      'SELECT user_id, extract(epoch FROM expires_at)::bigint AS expires_at FROM revoked_tokens WHERE token_id = $1',
      [jti],
    );
    expect(rows).toEqual([{ user_id: id, expires_at: exp }]);

    const denied = await profile(token);
    expectProblem(denied, 401);
    expect(denied.body.detail).toBe('token revoked');
    expectProblem(await service.request('POST', `${BASE}/logout`, { token }), 401);
    expect((await profile(otherSession)).status).toBe(200);

    const [revoked] = await events.waitFor(Topics.SessionRevoked, id);
    expect(revoked!.key).toBe(id);
    expect(revoked!.event.data).toEqual({ userId: id, tokenId: jti, expiresAt: exp, reason: 'logout' });
  });

  test('a revocation another replica wrote (only in the database) is refused at once', async () => {
    const { id, email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    const { jti, exp } = jose.decodeJwt(token);
    await service.pool.query(
      'INSERT INTO revoked_tokens (token_id, user_id, expires_at) VALUES ($1, $2, to_timestamp($3))',
      [jti, id, exp],
    );
    expectProblem(await profile(token), 401);
  });

  test('400 for a body with fields, 401 without a token', async () => {
    const { email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    expectProblem(
      await service.request('POST', `${BASE}/logout`, { token, body: { everywhere: true } }),
      400,
    );
    expect((await profile(token)).status).toBe(200);
    expectProblem(await service.request('POST', `${BASE}/logout`), 401);
  });
});

describe('another service with only the kit middleware', () => {
  let other: RunningServer;
  let otherBus: KafkaEventBus;
  let feed: RevocationFeed;

  beforeAll(async () => {
    const logger = createLogger('other-service', 'silent');
    otherBus = kafkaTestBus('other-service');
    const revocations = new InMemoryRevocationList();
    // The keys as any service gets them: from the users service's JWKS endpoint.
    const publicKeys = (await service.request('GET', `${BASE}/.well-known/jwks.json`)).body;
    const auth = createAuthenticator({ issuer: ISSUER, audience: AUDIENCE, publicKeys, revocations, logger });
    feed = await startRevocationFeed({ bus: otherBus, revocations, groupId: 'other-service', logger });
    const router = express.Router();
    router.get('/me', auth.requireAuth, (req, res) => {
      res.json(getAuth(req));
    });
    const app = createHttpApp({
      logger,
      registry: createMetricsRegistry(),
      services: [
        {
          name: 'other',
          basePath: '/api/v1/other',
          router,
          openapi: {},
          readiness: [],
          start: async () => {},
          stop: async () => {},
        },
      ],
    });
    other = await startHttpServer({ app, port: 0, host: '127.0.0.1', logger });
  });

  afterAll(async () => {
    await other?.close();
    await feed?.close();
    await otherBus?.close();
  });

  const callOther = async (token: string) =>
    (await fetch(`${other.url}/api/v1/other/me`, { headers: { authorization: `Bearer ${token}` } })).status;

  /** Polls the other service until it refuses `token`; returns how long that took after `since`. */
  const refusedWithin = async (token: string, since: number) => {
    await waitFor(async () => (await callOther(token)) === 401, {
      timeoutMs: 10_000,
      intervalMs: 50,
      description: 'the other service to refuse the token',
    });
    return performance.now() - since;
  };

  test('accepts a users-service token, and refuses it within 2 s of logout', async () => {
    const { email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    expect(await callOther(token)).toBe(200);

    const start = performance.now();
    expect((await service.request('POST', `${BASE}/logout`, { token })).status).toBe(204);
    expect(await refusedWithin(token, start)).toBeLessThan(2_000);
  });

  test('refuses every token of a user within 2 s of deactivation', async () => {
    const { email } = await signUp(service);
    const tokens = [await logIn(service, email, PASSWORD), await logIn(service, email, PASSWORD)];
    for (const token of tokens) expect(await callOther(token)).toBe(200);

    const start = performance.now();
    expect((await service.request('DELETE', `${BASE}/deactivate`, { token: tokens[0] })).status).toBe(204);
    expect(await refusedWithin(tokens[1]!, start)).toBeLessThan(2_000);
    expect(await callOther(tokens[0]!)).toBe(401);
  });

  test('after a password change, refuses the old tokens within 2 s and accepts the next login', async () => {
    const { email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    const newPassword = 'another fresh passphrase';
    const start = performance.now();
    const res = await service.request('PUT', `${BASE}/profile/update`, {
      token,
      body: { password: newPassword, currentPassword: PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(await refusedWithin(token, start)).toBeLessThan(2_000);
    expect(await callOther(await logIn(service, email, newPassword))).toBe(200);
  });
});
