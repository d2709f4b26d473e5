/**
 * Revocations survive restarts. Tokens are revoked every way there is (logout, deactivation,
 * password change, and one revocation that only the database holds: its event was published
 * before the log's retention dropped it, or not yet published when a replica died), then:
 * - a verifier with only the kit (a restarted service, on Kafka) refuses all of them from the
 *   first request it serves, having loaded the users service's signed list;
 * - the users service itself, restarted on the same database, refuses them in its kit middleware;
 * - `make dev`'s one process (the embedded mode: a fresh bus with no history) refuses them too.
 * Without the snapshot, each of these accepts at least the database-only revocation.
 * And while Kafka is down, a second users replica learns a logout made on the first from their
 * database, since no Session-Revoked event can reach it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpProblem } from '@moocflix/platform-core/errors';
import { InProcessEventBus, type EventBus } from '@moocflix/platform-bus';
import { createLogger } from '@moocflix/platform-core/log';
import { createPlatform, loadCommonServiceConfig, type Platform } from '@moocflix/platform-runtime';
import { kafkaTestBus, startTestService, TestTokenIssuer } from '@moocflix/platform-testing';
import * as jose from 'jose';
import { createTestDatabase, startKafka, stopKafka, waitFor } from '../../../e2e/stack/control';
import { generatePrivateJwk } from '../src/data/signing-key-store';
import { createUsersService } from '../src/service';
import { BASE, expectProblem, logIn, PASSWORD, signUp } from './fixtures';
import { AUDIENCE, ISSUER, type UsersTestService } from './users-test-service';

jest.setTimeout(90_000);

const logger = createLogger('revocation-restart-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const signingKey = generatePrivateJwk();
const publicJwks = {
  keys: [
    { kty: 'OKP', crv: 'Ed25519', x: signingKey.x, kid: signingKey.kid, alg: 'EdDSA', use: 'sig' } as const,
  ],
};
const NEW_PASSWORD = 'a completely different passphrase';

let home: string;
let databaseUrl: string;
let usersEnv: Record<string, string>;

interface RunningUsers extends UsersTestService {
  bus: EventBus;
}

/** One "process" of the users service on the shared database: a restart is close() then this again. */
async function startUsers(): Promise<RunningUsers> {
  const bus = kafkaTestBus('users-restart');
  const service = await startTestService({
    name: 'users',
    create: createUsersService,
    databaseUrl,
    bus,
    env: usersEnv,
    issuer: new TestTokenIssuer({ issuer: ISSUER, audience: AUDIENCE }),
    trustedKeys: publicJwks,
  });
  return {
    url: service.url,
    ctx: service.ctx,
    module: service.module,
    pool: service.ctx.pool,
    publicJwks,
    request: service.request,
    bus,
    async close() {
      await service.close();
      await bus.close();
    },
  };
}

/** 200, or the problem's status (401 revoked, 503 not loaded yet). */
async function verdict(platform: Pick<Platform, 'auth'>, token: string): Promise<number> {
  try {
    await platform.auth.verify(token);
    return 200;
  } catch (err) {
    if (err instanceof HttpProblem) return err.status;
    throw err;
  }
}

let users: RunningUsers;
/** Tokens revoked before any "restart", by how. */
const revoked: Record<string, string> = {};
/** Tokens nobody revoked: they must keep working. */
const alive: Record<string, string> = {};
const revokedJtis: string[] = [];
const cutOffUsers: string[] = [];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'users-restart-'));
  databaseUrl = await createTestDatabase('users_restart');
  usersEnv = {
    JWT_PRIVATE_JWKS: JSON.stringify({ keys: [signingKey] }),
    MOOCFLIX_HOME: home,
    TRUSTED_PROXIES: '127.0.0.1/32',
  };
  users = await startUsers();

  const loggedOut = await signUp(users);
  revoked.logout = await logIn(users, loggedOut.email, PASSWORD);
  expect((await users.request('POST', `${BASE}/logout`, { token: revoked.logout })).status).toBe(204);
  alive.otherSessionOfTheLoggedOut = await logIn(users, loggedOut.email, PASSWORD);
  revokedJtis.push(jose.decodeJwt(revoked.logout).jti!);

  const deactivated = await signUp(users);
  revoked.deactivation = await logIn(users, deactivated.email, PASSWORD);
  expect((await users.request('DELETE', `${BASE}/deactivate`, { token: revoked.deactivation })).status).toBe(
    204,
  );
  cutOffUsers.push(deactivated.id);

  const changed = await signUp(users);
  revoked.passwordChange = await logIn(users, changed.email, PASSWORD);
  const update = await users.request('PUT', `${BASE}/profile/update`, {
    token: revoked.passwordChange,
    body: { password: NEW_PASSWORD, currentPassword: PASSWORD },
  });
  expect(update.status).toBe(200);
  alive.afterPasswordChange = await logIn(users, changed.email, NEW_PASSWORD);
  cutOffUsers.push(changed.id);

  // Revoked in the database only: no event on any bus tells of it.
  const dbOnly = await signUp(users);
  revoked.databaseOnly = await logIn(users, dbOnly.email, PASSWORD);
  const { jti, exp } = jose.decodeJwt(revoked.databaseOnly);
  await users.pool.query(
    'INSERT INTO revoked_tokens (token_id, user_id, expires_at) VALUES ($1, $2, to_timestamp($3))',
    [jti, dbOnly.id, exp],
  );
  revokedJtis.push(jti!);

  const bystander = await signUp(users);
  alive.bystander = await logIn(users, bystander.email, PASSWORD);
});

afterAll(async () => {
  await users?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('GET /revocations', () => {
  test('a signed list of the revocations in force, verifiable with the published JWKS', async () => {
    // One that expired long ago is no longer listed.
    const { id } = await signUp(users);
    await users.pool.query(
      `INSERT INTO revoked_tokens (token_id, user_id, expires_at) VALUES (gen_random_uuid(), $1, now() - interval '1 hour')`,
      [id],
    );
    const res = await users.request('GET', `${BASE}/revocations`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jwt/);
    expect(res.headers.get('cache-control')).toBe('no-store');

    const { payload, protectedHeader } = await jose.jwtVerify(res.text, jose.createLocalJWKSet(publicJwks), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['EdDSA'],
      typ: 'revocations+jwt',
    });
    expect(protectedHeader.kid).toBe(signingKey.kid);
    expect(payload.exp! - payload.iat!).toBe(60);
    const tokens = payload.tokens as Array<{ tokenId: string; expiresAt: number }>;
    const cutOffs = payload.users as Array<{ userId: string; issuedAtOrBefore: number; expiresAt: number }>;
    expect(tokens.map((t) => t.tokenId).sort()).toEqual([...revokedJtis].sort());
    expect(cutOffs.map((u) => u.userId).sort()).toEqual([...cutOffUsers].sort());
    for (const cutOff of cutOffs) expect(cutOff.expiresAt - cutOff.issuedAtOrBefore).toBe(900);
  });
});

describe('after a restart, every revoked token stays revoked', () => {
  test('a kit-only service started afterwards (Kafka) refuses them from its first served request', async () => {
    const storageDir = await mkdtemp(join(tmpdir(), 'verifier-storage-'));
    const config = loadCommonServiceConfig('verifier', 0, {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      JWT_JWKS_URL: `${users.url}${BASE}/.well-known/jwks.json`,
    });
    const platform = await createPlatform({
      processName: 'verifier-restarted',
      config,
      env: { STORAGE_DIR: storageDir },
      logger,
    });
    try {
      // Before the list is loaded nothing passes, not even a good token.
      expect(platform.auth.revocations.complete).toBe(false);
      expect(await verdict(platform, alive.bystander!)).toBe(503);

      platform.startRevocationSync();
      await waitFor(() => platform.auth.revocations.complete, {
        timeoutMs: 20_000,
        description: 'revocations loaded',
      });
      const readiness = platform.readiness.find((c) => c.name === 'revocations')!;
      expect(await readiness.check()).toBe(true);

      for (const [how, token] of Object.entries(revoked))
        expect({ how, status: await verdict(platform, token) }).toEqual({ how, status: 401 });
      for (const [who, token] of Object.entries(alive))
        expect({ who, status: await verdict(platform, token) }).toEqual({ who, status: 200 });
    } finally {
      await platform.close();
      await rm(storageDir, { recursive: true, force: true });
    }
  });

  test('the users service restarted on its database refuses them in the kit middleware at once', async () => {
    await users.close();
    users = await startUsers();

    // The kit's own check (before any use case reads the database), on the first call.
    for (const [how, token] of Object.entries(revoked))
      expect({ how, status: await verdict(users.ctx, token) }).toEqual({ how, status: 401 });
    for (const [who, token] of Object.entries(alive))
      expect({ who, status: await verdict(users.ctx, token) }).toEqual({ who, status: 200 });
    expectProblem(await users.request('GET', `${BASE}/profile`, { token: revoked.logout }), 401);
    expect((await users.request('GET', `${BASE}/profile`, { token: alive.bystander })).status).toBe(200);
  });

  test('make dev (one process, embedded bus with no history): every service refuses them from the start', async () => {
    // The launcher's shape: one platform, the users service created in it, its list shared by
    // every service of the process. A fresh in-memory bus stands for a bus that replays nothing.
    const platform = await createPlatform({
      processName: 'moocflix-restarted',
      // The keys as configuration (the launcher fetches them from its own port once it listens).
      config: loadCommonServiceConfig('moocflix', 0, { JWT_PUBLIC_JWKS: JSON.stringify(publicJwks) }),
      env: { ...usersEnv, STORAGE_DIR: join(home, 'dev-storage') },
      logger,
      bus: new InProcessEventBus({ logger }),
    });
    try {
      expect(platform.auth.revocations.complete).toBe(false);
      await createUsersService(await platform.contextFor('users', databaseUrl));
      expect(platform.auth.revocations.complete).toBe(true);

      for (const [how, token] of Object.entries(revoked))
        expect({ how, status: await verdict(platform, token) }).toEqual({ how, status: 401 });
      for (const [who, token] of Object.entries(alive))
        expect({ who, status: await verdict(platform, token) }).toEqual({ who, status: 200 });
    } finally {
      await platform.close();
    }
  });
});

describe('a broker outage', () => {
  test('another users replica learns a logout made meanwhile from the database, not the event it cannot receive', async () => {
    const config = loadCommonServiceConfig('users', 0, {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      JWT_PUBLIC_JWKS: JSON.stringify(publicJwks),
    });
    const replica = await createPlatform({
      processName: 'users-replica',
      config,
      env: { ...usersEnv, STORAGE_DIR: join(home, 'replica-storage') },
      logger,
    });
    const who = await signUp(users);
    const token = await logIn(users, who.email, PASSWORD);
    try {
      const module = await createUsersService(await replica.contextFor('users', databaseUrl));
      replica.startRevocationSync(module.revocationsInForce);
      expect(await verdict(replica, token)).toBe(200);

      await stopKafka();
      expect((await users.request('POST', `${BASE}/logout`, { token })).status).toBe(204);
      await waitFor(async () => (await verdict(replica, token)) === 401, {
        // The outage refresh runs every 10 s once the bus ping fails (up to 5 s).
        timeoutMs: 40_000,
        intervalMs: 500,
        description: 'the replica to refuse the token logged out during the outage',
      });
      expect(await verdict(replica, alive.bystander!)).toBe(200);
    } finally {
      await startKafka();
      await replica.close();
    }
  });
});
