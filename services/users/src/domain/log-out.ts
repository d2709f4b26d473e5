import type { AuthContext } from '@moocflix/platform-http/auth';
import { withTransaction } from '@moocflix/platform-db';
import { insertRevokedToken } from '../data/revoked-token-repository';
import type { UsersDependencies } from './dependencies';
import { requireActiveSession } from './session';
import { enqueueSessionRevoked } from './user-events';

/** Revokes the presented token: in this service's database, this process, and (by event) everywhere. */
export async function logOut(deps: UsersDependencies, auth: AuthContext): Promise<void> {
  await withTransaction(deps.pool, async (tx) => {
    await requireActiveSession(tx, auth);
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
