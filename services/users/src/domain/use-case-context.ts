import type { RevocationList } from '@moocflix/platform-http/auth';
import type { Pool } from '@moocflix/platform-db';
import type { AccessTokenIssuer } from './access-token-issuer';
import type { LoginThrottle } from './login-throttle';
import type { PasswordHasher } from './password-hasher';

/** What the use cases need, built once by the service factory. */
export interface UseCaseContext {
  pool: Pool;
  hasher: PasswordHasher;
  tokens: AccessTokenIssuer;
  /** Lifetime of a browser session's refresh token (each refresh starts a new one). */
  refreshTokenTtlSeconds: number;
  throttle: LoginThrottle;
  /**
   * This process's revocation list (the kit authenticator's): a revoked token is refused here at
   * once, before the Session-Revoked event has travelled.
   */
  revocations: RevocationList;
  /** CloudEvents `source` of the events this service emits. */
  eventSource: string;
  /** Epoch milliseconds; injectable for tests. */
  now: () => number;
}

export const epochSeconds = (deps: Pick<UseCaseContext, 'now'>): number => Math.floor(deps.now() / 1000);
