import type { AuthContext } from '@moocflix/platform-http/auth';
import type { Queryable } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { isTokenRevoked } from '../data/revoked-token-repository';
import { findUserById } from '../data/user-repository';
import type { User } from './user';

/**
 * The account behind a verified token, or 401 when the token is no longer good here. The kit's
 * middleware already refused what this process's revocation list knows; this check is against the
 * database, so a logout or password change on ANY replica of this service holds at once on all of
 * them (the Session-Revoked event reaches the other services within seconds).
 */
export async function requireActiveSession(
  db: Queryable,
  auth: AuthContext,
  options: { lock?: boolean } = {},
): Promise<User> {
  const user = await findUserById(db, auth.userId, options);
  if (!user || user.status !== 'active') throw problems.unauthorized('token revoked');
  if (isCutOff(user, auth.issuedAt) || (await isTokenRevoked(db, auth.tokenId)))
    throw problems.unauthorized('token revoked');
  return user;
}

function isCutOff(user: User, issuedAt: number): boolean {
  return user.tokensRevokedThrough !== null && Math.floor(issuedAt) <= user.tokensRevokedThrough;
}

/**
 * The cut-off second of a user-wide revocation made at `nowSeconds`. Normally that second itself;
 * but a token signed right after an earlier cut-off in the same second is dated cut-off + 1 (see
 * AccessTokenIssuer.issue), so a second revocation within that second must reach past it.
 */
export function nextRevocationCutOff(nowSeconds: number, previous: number | null): number {
  return previous === null ? nowSeconds : Math.max(nowSeconds, previous + 1);
}

/** A user-wide revocation (password change, deactivation) as the Session-Revoked event states it. */
export interface UserWideRevocation {
  userId: string;
  issuedAtOrBefore: number;
  /** The revoked tokens have all expired by then. */
  expiresAt: number;
  reason: 'password-change' | 'deactivation';
}

export function userWideRevocation(
  user: User,
  reason: UserWideRevocation['reason'],
  clock: { nowSeconds: number; tokenTtlSeconds: number },
): UserWideRevocation {
  const issuedAtOrBefore = nextRevocationCutOff(clock.nowSeconds, user.tokensRevokedThrough);
  return { userId: user.id, issuedAtOrBefore, expiresAt: issuedAtOrBefore + clock.tokenTtlSeconds, reason };
}
