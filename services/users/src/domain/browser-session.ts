import { randomUUID } from 'node:crypto';
import type { AuthContext } from '@moocflix/platform-http/auth';
import { withTransaction, type PoolClient } from '@moocflix/platform-db';
import { HttpProblem, problems } from '@moocflix/platform-core/errors';
import {
  findRefreshFamily,
  insertRefreshToken,
  lockRefreshToken,
  markRefreshTokenRotated,
  revokeRefreshFamily,
} from '../data/refresh-token-repository';
import { findUserById } from '../data/user-repository';
import type { IssuedToken } from './access-token-issuer';
import type { UseCaseContext } from './use-case-context';
import { verifyCredentials } from './log-in';
import { revokeAccessToken } from './log-out';
import { isWellFormedRefreshToken, newRefreshToken, refreshTokenHash } from './refresh-token';
import type { User } from './user';

/**
 * The browser's session: a short-lived access token kept in the page's memory, and a refresh token
 * in an HttpOnly cookie that scripts cannot read. A sign-in starts a refresh FAMILY; every refresh
 * rotates (the presented token dies, its successor joins the family); a rotated token presented
 * again was copied somewhere, so the family ends for both holders.
 */
export interface BrowserSession {
  access: IssuedToken;
  /** The new opaque refresh token: the cookie's value. Never stored (only its hash is). */
  refreshToken: string;
}

/** Sign-in with email and password, throttled and answered like POST /login. */
export async function startBrowserSession(
  deps: UseCaseContext,
  attempt: { email: string; password: string; ip: string },
): Promise<BrowserSession> {
  const verified = await verifyCredentials(deps, attempt);
  const session = await withTransaction(deps.pool, async (tx) => {
    const user = await findUserById(tx, verified.id, { lock: true });
    // Changed password or deactivated since the verification: the password proves nothing now.
    if (!user || user.status !== 'active' || user.passwordHash !== verified.passwordHash) return null;
    return continueFamily(deps, tx, user, randomUUID());
  });
  if (!session) throw problems.unauthorized('invalid email or password');
  return session;
}

/** Why a refresh is refused; all are the same 401 to the client (nothing to learn about others' sessions). */
export type RefreshRefusal = 'missing' | 'unknown' | 'expired' | 'revoked' | 'reused' | 'inactive-user';

const refused = () => problems.unauthorized('no valid refresh token; sign in again');

/** Exchanges the cookie's refresh token for a new access token and a new refresh token. */
export async function refreshBrowserSession(
  deps: UseCaseContext,
  presented: string | undefined,
): Promise<BrowserSession> {
  if (presented === undefined) throw refused();
  if (!isWellFormedRefreshToken(presented)) throw refused();
  const hash = refreshTokenHash(presented);
  // Refusals that end a family are returned, not thrown, so that the revocation commits.
  const outcome = await withTransaction(deps.pool, async (tx): Promise<BrowserSession | RefreshRefusal> => {
    const stored = await lockRefreshToken(tx, hash);
    if (!stored) return 'unknown';
    if (stored.revoked) return 'revoked';
    if (stored.expired) return 'expired';
    if (stored.rotated) {
      await revokeRefreshFamily(tx, stored.familyId);
      return 'reused';
    }
    const user = await findUserById(tx, stored.userId, { lock: true });
    if (!user || user.status !== 'active') {
      await revokeRefreshFamily(tx, stored.familyId);
      return 'inactive-user';
    }
    await markRefreshTokenRotated(tx, hash);
    return continueFamily(deps, tx, user, stored.familyId);
  });
  if (typeof outcome === 'string') throw refused();
  return outcome;
}

/**
 * Sign-out: ends the cookie's family (whatever state its token is in) and revokes the access token
 * when one is given. Neither is required: signing out must work with an expired access token or an
 * already dead cookie, and then there is simply less to revoke.
 */
export async function endBrowserSession(
  deps: UseCaseContext,
  presented: { refreshToken?: string; auth?: AuthContext },
): Promise<void> {
  const familyId =
    presented.refreshToken !== undefined && isWellFormedRefreshToken(presented.refreshToken)
      ? await findRefreshFamily(deps.pool, refreshTokenHash(presented.refreshToken))
      : null;
  const endFamily = async (tx: PoolClient) => {
    if (familyId) await revokeRefreshFamily(tx, familyId);
  };
  if (presented.auth) {
    try {
      await revokeAccessToken(deps, presented.auth, endFamily);
      return;
    } catch (err) {
      // An access token revoked already (or of a deactivated account) needs no revoking.
      if (!(err instanceof HttpProblem && err.status === 401)) throw err;
    }
  }
  await withTransaction(deps.pool, endFamily);
}

/**
 * Adds a new token to the family and signs the access token while the user's row is locked: a
 * password change or deactivation (which lock it too) then either comes first, and this user is
 * refused, or comes after and revokes both — never a token that outlives it.
 */
async function continueFamily(
  deps: UseCaseContext,
  tx: PoolClient,
  user: User,
  familyId: string,
): Promise<BrowserSession> {
  const next = newRefreshToken();
  await insertRefreshToken(tx, {
    hash: next.hash,
    familyId,
    userId: user.id,
    ttlSeconds: deps.refreshTokenTtlSeconds,
  });
  const access = await deps.tokens.issue({
    userId: user.id,
    role: user.role,
    revokedThrough: user.tokensRevokedThrough,
  });
  return { access, refreshToken: next.token };
}
