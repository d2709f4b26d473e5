/**
 * A service started on its own (runStandalone, what every service's container runs), as a real
 * process: it refuses to start without a reachable Kafka (fail closed, never the embedded bus),
 * /readyz names the bus, the database and storage separately, it serves no authenticated
 * request before the revocations in force are loaded, and a broker outage only degrades it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as jose from 'jose';
import { createTestDatabase, startKafka, stopKafka, waitFor } from '../../../../../e2e/stack/control';
import { ACCESS_TOKEN_TYPE, signRevocationSnapshot } from '@moocflix/platform-http/auth';

jest.setTimeout(120_000);

const COURSES_MAIN = join(__dirname, '../../../../courses/src/main.ts');
const FIXTURE_MAIN = join(__dirname, 'standalone.fixture.ts');

interface Started {
  child: ChildProcess;
  exited: Promise<{ code: number | null; elapsedMs: number }>;
  output(): string;
}

function start(main: string, env: Record<string, string | undefined>): Started {
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(child, 'exit').then(([code]) => ({
    code: code as number | null,
    elapsedMs: Date.now() - startedAt,
  }));
  return { child, exited, output: () => output };
}

async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill('SIGKILL');
  await started.exited;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** The environment of a deployment: the stack's Kafka, PostgreSQL and S3 (jest-env), no Kafka when deleted. */
function stackEnv(overrides: Record<string, string | undefined>): Record<string, string | undefined> {
  return { ...process.env, LOG_LEVEL: 'info', HOST: '127.0.0.1', ...overrides };
}

describe('fail closed: no event bus, no start', () => {
  let started: Started | undefined;
  afterEach(() => stop(started));

  test('a service main without KAFKA_BROKERS exits non-zero saying what is missing', async () => {
    started = start(COURSES_MAIN, stackEnv({ KAFKA_BROKERS: undefined, PORT: String(await freePort()) }));
    const { code } = await started.exited;
    expect(code).toBe(1);
    expect(started.output()).toContain('KAFKA_BROKERS is not set');
    expect(started.output()).not.toContain('courses ready');
  });

  test('a service main whose brokers do not answer exits non-zero within KAFKA_START_TIMEOUT_SECONDS', async () => {
    const deadPort = await freePort();
    started = start(
      COURSES_MAIN,
      stackEnv({
        KAFKA_BROKERS: `127.0.0.1:${deadPort}`,
        KAFKA_START_TIMEOUT_SECONDS: '3',
        PORT: String(await freePort()),
      }),
    );
    const { code, elapsedMs } = await started.exited;
    expect(code).toBe(1);
    expect(started.output()).toContain(
      `Kafka did not answer within KAFKA_START_TIMEOUT_SECONDS=3 at KAFKA_BROKERS=127.0.0.1:${deadPort}`,
    );
    // The timeout plus the process's own start (tsx compiling the service) on a loaded machine.
    expect(elapsedMs).toBeLessThan(45_000);
  });
});

describe('a standalone service before and after the revocations in force are loaded', () => {
  const issuer = 'moocflix-users';
  const audience = 'moocflix';
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = `kit-test-${randomUUID()}`;
  const jwks = {
    keys: [{ ...(publicKey.export({ format: 'jwk' }) as jose.JWK), kid, alg: 'EdDSA', use: 'sig' }],
  };
  const sign = (jti: string) =>
    new jose.SignJWT({ role: 'student' })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(randomUUID())
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(privateKey);

  // The users service's revocations endpoint, held back until the test releases it.
  let released = false;
  let revocationsServer: Server;
  const revokedJti = randomUUID();
  /** Revoked later, while Kafka is down: no Session-Revoked event can carry it. */
  const revokedLater: string[] = [];
  let base = '';
  const me = async (token: string) =>
    (await fetch(`${base}/api/v1/fixture/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  let service: Started | undefined;

  beforeAll(async () => {
    revocationsServer = createHttpServer((_req, res) => {
      if (!released) {
        res.writeHead(503).end('starting');
        return;
      }
      void signRevocationSnapshot(
        {
          tokens: [revokedJti, ...revokedLater].map((tokenId) => ({
            tokenId,
            expiresAt: Math.floor(Date.now() / 1000) + 900,
          })),
          users: [],
        },
        { kid, privateKey, issuer, audience, nowSeconds: Math.floor(Date.now() / 1000) },
      ).then((jws) => res.writeHead(200, { 'content-type': 'application/jwt' }).end(jws));
    });
    await new Promise<void>((resolve) => revocationsServer.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await stop(service);
    await new Promise((resolve) => revocationsServer.close(resolve));
  });

  test('/readyz names event-bus, database, object-storage and revocations; no token is served before they load', async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = start(
      FIXTURE_MAIN,
      stackEnv({
        PORT: String(port),
        DATABASE_URL: await createTestDatabase('kit_fixture'),
        JWT_PUBLIC_JWKS: JSON.stringify(jwks),
        JWT_REVOCATIONS_URL: `http://127.0.0.1:${(revocationsServer.address() as AddressInfo).port}/api/v1/users/revocations`,
      }),
    );
    const explain = () => service!.output().slice(-4000);
    const revoked = await sign(revokedJti);
    const valid = await sign(randomUUID());

    const notReady = await waitFor(
      async () => {
        const response = await fetch(`${base}/readyz`);
        return {
          status: response.status,
          body: (await response.json()) as { checks: Record<string, string> },
        };
      },
      { timeoutMs: 60_000, intervalMs: 200, description: `the service to listen\n${explain()}` },
    );
    expect(notReady).toEqual({
      status: 503,
      body: expect.objectContaining({
        checks: { database: 'ok', 'event-bus': 'ok', 'object-storage': 'ok', revocations: 'failing' },
      }),
    });
    // Not loaded yet: the token revoked before this process started must not pass, nor any other.
    expect(await me(revoked)).toBe(503);
    expect(await me(valid)).toBe(503);

    released = true;
    const ready = await waitFor(
      async () => {
        const response = await fetch(`${base}/readyz`);
        return response.status === 200 && ((await response.json()) as { checks: Record<string, string> });
      },
      { timeoutMs: 30_000, intervalMs: 200, description: `the service to be ready\n${explain()}` },
    );
    expect(ready.checks).toEqual({
      database: 'ok',
      'event-bus': 'ok',
      'object-storage': 'ok',
      revocations: 'ok',
    });
    expect(await me(revoked)).toBe(401);
    expect(await me(valid)).toBe(200);
  });

  test('a broker outage: /readyz stays 200 and says degraded, requests are served, and a logout made meanwhile applies from the users service', async () => {
    expect(base).not.toBe('');
    const explain = () => service!.output().slice(-4000);
    const valid = await sign(randomUUID());
    const loggedOutJti = randomUUID();
    const loggedOut = await sign(loggedOutJti);
    expect(await me(loggedOut)).toBe(200);
    await stopKafka();
    try {
      const degraded = await waitFor(
        async () => {
          const response = await fetch(`${base}/readyz`);
          const body = (await response.json()) as { status: string; checks: Record<string, string> };
          return body.checks['event-bus'] === 'failing' && { status: response.status, body };
        },
        { timeoutMs: 30_000, intervalMs: 500, description: `/readyz to see the broker gone\n${explain()}` },
      );
      expect(degraded).toEqual({
        status: 200,
        body: {
          status: 'degraded',
          checks: { database: 'ok', 'event-bus': 'failing', 'object-storage': 'ok', revocations: 'ok' },
        },
      });
      expect(await me(valid)).toBe(200);

      // The users service has it in its database; the event that would carry it cannot be published.
      revokedLater.push(loggedOutJti);
      await waitFor(async () => (await me(loggedOut)) === 401, {
        // One outage refresh interval (10 s) after the bus ping fails (up to 5 s), and a margin.
        timeoutMs: 40_000,
        intervalMs: 500,
        description: `the logout made during the outage to apply\n${explain()}`,
      });
      expect(await me(valid)).toBe(200);
      expect(explain()).toContain('reading the revocations in force from their source meanwhile');
    } finally {
      await startKafka();
    }
    await waitFor(
      async () => {
        const response = await fetch(`${base}/readyz`);
        return response.status === 200 && ((await response.json()) as { status: string }).status === 'ready';
      },
      { timeoutMs: 60_000, intervalMs: 500, description: `/readyz to be ready again\n${explain()}` },
    );
  });
});
