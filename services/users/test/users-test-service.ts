import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator, InMemoryRevocationList } from '@moocflix/platform/auth';
import { createPool, type Pool } from '@moocflix/platform/db';
import { KafkaEventBus } from '@moocflix/platform/events';
import { createHttpApp, startHttpServer, type ServiceModule } from '@moocflix/platform/http';
import { createLogger } from '@moocflix/platform/log';
import { createMetricsRegistry } from '@moocflix/platform/metrics';
import type { ServiceContext } from '@moocflix/platform/runtime';
import { LocalDiskObjectStorage } from '@moocflix/platform/storage';
import { createTestDatabase } from '../../../e2e/stack/control';
import { generatePrivateJwk, type PublicJwk } from '../src/data/signing-key-store';
import { createUsersService } from '../src/service';

// Tests read answers as loosely typed JSON and pin their shape with expect().
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface UsersTestService {
  url: string;
  ctx: ServiceContext;
  module: ServiceModule;
  /** The service's own database, to assert rows. */
  pool: Pool;
  /** The public keys the service publishes (its signing key is given by JWT_PRIVATE_JWKS). */
  publicJwks: { keys: PublicJwk[] };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request<T = any>(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse<T>>;
  close(): Promise<void>;
}

export const ISSUER = 'moocflix-users';
export const AUDIENCE = 'moocflix';

/**
 * The users service in-process on a random port, on its own fresh database and the stack's real
 * Kafka. Not the kit's startTestService: that one makes ctx.auth trust a TestTokenIssuer's key,
 * while this service must verify the tokens IT signs — so the signing key is given as a cluster
 * would (JWT_PRIVATE_JWKS) and ctx.auth trusts its public half (as JWT_PUBLIC_JWKS would).
 */
export async function startUsersService(env: Record<string, string> = {}): Promise<UsersTestService> {
  const logger = createLogger('users', process.env.TEST_LOG_LEVEL ?? 'silent');
  const databaseUrl = await createTestDatabase('users');
  const home = await mkdtemp(join(tmpdir(), 'users-test-'));
  const signingKey = generatePrivateJwk();
  const publicJwks = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: signingKey.x, kid: signingKey.kid, alg: 'EdDSA', use: 'sig' } as const] };
  const pool = createPool(databaseUrl, { max: 10, applicationName: 'users-test' });
  const bus = new KafkaEventBus({ brokers: kafkaBrokers(), clientId: `users-test-${randomUUID()}`, logger });
  const ctx: ServiceContext = {
    name: 'users',
    logger,
    registry: createMetricsRegistry(),
    pool,
    bus,
    auth: createAuthenticator({ issuer: ISSUER, audience: AUDIENCE, publicKeys: publicJwks, revocations: new InMemoryRevocationList(), logger }),
    storage: new LocalDiskObjectStorage({ rootDir: join(home, 'storage') }),
    env: { JWT_PRIVATE_JWKS: JSON.stringify({ keys: [signingKey] }), MOOCFLIX_HOME: home, ...env },
  };
  const module = await createUsersService(ctx);
  const app = createHttpApp({ logger, registry: ctx.registry, services: [module] });
  const server = await startHttpServer({ app, port: 0, host: '127.0.0.1', logger, drainTimeoutMs: 1000 });
  await module.start();

  return {
    url: server.url,
    ctx,
    module,
    pool,
    publicJwks,
    async request(method, path, { token, body, headers = {} } = {}) {
      const response = await fetch(server.url + path, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      const isJson = /json/.test(response.headers.get('content-type') ?? '');
      return { status: response.status, headers: response.headers, body: isJson && text ? JSON.parse(text) : text, text };
    },
    async close() {
      await server.close();
      await module.stop();
      await bus.close();
      await pool.end();
      await rm(home, { recursive: true, force: true });
    },
  };
}

export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the integration tests through jest --selectProjects integration');
  return brokers.split(',');
}
