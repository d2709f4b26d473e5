import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from '@moocflix/platform-db';
import { LocalDiskObjectStorage } from '@moocflix/platform-storage';
import {
  kafkaTestBus,
  startTestService,
  TestTokenIssuer,
  type TestResponse as HarnessResponse,
  type TestService,
} from '@moocflix/platform-testing';
import { createTestDatabase } from '../../../e2e/stack/control';
import { generatePrivateJwk, type PublicJwk } from '../src/data/signing-key-store';
import { createUsersService } from '../src/service';

/** The harness's answer with its raw text (tests check no secret leaks into it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestResponse<T = any> = HarnessResponse<T> & { text: string };

export interface UsersTestService extends Pick<TestService, 'url' | 'ctx' | 'module' | 'request' | 'close'> {
  /** The service's own database, to assert rows. */
  pool: Pool;
  /** The public keys the service publishes (its signing key is given by JWT_PRIVATE_JWKS). */
  publicJwks: { keys: PublicJwk[] };
}

export const ISSUER = 'moocflix-users';
export const AUDIENCE = 'moocflix';

/**
 * The users service through the kit's startTestService, on its own fresh database and the stack's
 * real Kafka. This service must verify the tokens IT signs, so its signing key is given as a cluster
 * would (JWT_PRIVATE_JWKS) and ctx.auth trusts its public half (trustedKeys, as JWT_PUBLIC_JWKS would).
 */
export async function startUsersService(env: Record<string, string> = {}): Promise<UsersTestService> {
  const home = await mkdtemp(join(tmpdir(), 'users-test-'));
  const signingKey = generatePrivateJwk();
  const publicJwks = {
    keys: [
      { kty: 'OKP', crv: 'Ed25519', x: signingKey.x, kid: signingKey.kid, alg: 'EdDSA', use: 'sig' } as const,
    ],
  };
  const bus = kafkaTestBus('users-test');
  const service = await startTestService({
    name: 'users',
    create: createUsersService,
    databaseUrl: await createTestDatabase('users'),
    bus,
    storage: new LocalDiskObjectStorage({ rootDir: join(home, 'storage') }),
    env: {
      JWT_PRIVATE_JWKS: JSON.stringify({ keys: [signingKey] }),
      MOOCFLIX_HOME: home,
      // The tests stand in for the ingress: they name the client address in X-Forwarded-For.
      TRUSTED_PROXIES: '127.0.0.1/32',
      ...env,
    },
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
    async close() {
      await service.close();
      await bus.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
