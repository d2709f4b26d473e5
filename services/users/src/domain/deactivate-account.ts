import type { AuthContext } from '@moocflix/platform-http/auth';
import { withTransaction } from '@moocflix/platform-db';
import { revokeUserRefreshFamilies } from '../data/refresh-token-repository';
import { updateUser } from '../data/user-repository';
import { epochSeconds, type UseCaseContext } from './use-case-context';
import { requireActiveSession, userWideRevocation } from './session';
import { enqueueSessionRevoked, enqueueUserUpdated } from './user-events';

/**
 * Deactivates the caller's own account. The row stays (the email stays reserved, other services
 * keep their references); every token of the user dies, and the User-Update event (status
 * `deactivated`) lets other services react, e.g. courses ending the enrollments.
 */
export async function deactivateAccount(deps: UseCaseContext, auth: AuthContext): Promise<void> {
  const revocation = await withTransaction(deps.pool, async (tx) => {
    const user = await requireActiveSession(tx, auth, { lock: true });
    const revocation = userWideRevocation(user, 'deactivation', {
      nowSeconds: epochSeconds(deps),
      tokenTtlSeconds: deps.tokens.ttlSeconds,
    });
    const updated = await updateUser(tx, user.id, {
      status: 'deactivated',
      tokensRevokedThrough: revocation.issuedAtOrBefore,
    });
    await enqueueUserUpdated(tx, deps.eventSource, updated, ['status']);
    await enqueueSessionRevoked(tx, deps.eventSource, revocation);
    await revokeUserRefreshFamilies(tx, user.id);
    return revocation;
  });
  deps.revocations.revokeUserTokens(revocation.userId, revocation.issuedAtOrBefore, revocation.expiresAt);
}
