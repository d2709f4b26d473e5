import type { AuthContext } from '@moocflix/platform-http/auth';
import { withTransaction, type PoolClient } from '@moocflix/platform-db';
import { revokeUserRefreshFamilies } from '../data/refresh-token-repository';
import { insertRevokedToken } from '../data/revoked-token-repository';
import type { UseCaseContext } from './use-case-context';
import { requireActiveSession } from './session';
import { enqueueSessionRevoked } from './user-events';

/**
 * POST /logout: revokes the presented token (in this service's database, this process, and by event
 * everywhere) and ends every browser session of the user: a bearer client cannot say which refresh
 * family, if any, is its own, and a logout must not leave a way back in behind it.
 */
export async function logOut(deps: UseCaseContext, auth: AuthContext): Promise<void> {
  await revokeAccessToken(deps, auth, (tx) => revokeUserRefreshFamilies(tx, auth.userId));
}

/**
 * Revokes one access token; `alsoInTransaction` runs in the same transaction (the refresh side of
 * the sign-out), so either both hold or neither. 401 when the token is no longer good here.
 */
export async function revokeAccessToken(
  deps: UseCaseContext,
  auth: AuthContext,
  alsoInTransaction?: (tx: PoolClient) => Promise<void>,
): Promise<void> {
  await withTransaction(deps.pool, async (tx) => {
    await requireActiveSession(tx, auth);
    await alsoInTransaction?.(tx);
    const newlyRevoked = await insertRevokedToken(tx, {
      tokenId: auth.tokenId,
      userId: auth.userId,
      expiresAt: auth.expiresAt,
    });
    // Two concurrent logouts with one token: one event is enough.
    if (!newlyRevoked) return;
    await enqueueSessionRevoked(tx, deps.eventSource, {
      userId: auth.userId,
      tokenId: auth.tokenId,
      expiresAt: auth.expiresAt,
      reason: 'logout',
    });
  });
  deps.revocations.revokeToken(auth.tokenId, auth.expiresAt);
}
