import type { AuthContext } from '@moocflix/platform-http/auth';
import { isUniqueViolation, withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { revokeUserRefreshFamilies } from '../data/refresh-token-repository';
import { EMAIL_UNIQUE_CONSTRAINT, updateUser, type UserChanges } from '../data/user-repository';
import { emailTaken } from './create-user';
import type { IssuedToken } from './access-token-issuer';
import { epochSeconds, type UseCaseContext } from './use-case-context';
import { assertAcceptableNewPassword } from './password-policy';
import { requireActiveSession, userWideRevocation, type UserWideRevocation } from './session';
import { enqueueSessionRevoked, enqueueUserUpdated } from './user-events';
import { normalizeEmail, type User } from './user';

export interface ProfileUpdate {
  name?: string;
  email?: string;
  /** A new password; only together with currentPassword. */
  password?: string;
  currentPassword?: string;
}

export interface ProfileUpdateOutcome {
  user: User;
  /** After a password change: a new token for the caller, issued after the cut-off. */
  session?: IssuedToken;
}

/**
 * Changes the caller's own name, email and/or password. A new password needs the current one
 * (a stolen token alone must not take the account over) and revokes every token the user holds,
 * so a thief's sessions end; the caller alone continues, with the new token returned here (its
 * iat is after the cut-off second, so the revocation does not reach it).
 */
export async function updateProfile(
  deps: UseCaseContext,
  auth: AuthContext,
  update: ProfileUpdate,
  client: { ip: string },
): Promise<ProfileUpdateOutcome> {
  const changesPassword = update.password !== undefined;
  if (update.password !== undefined) assertAcceptableNewPassword(update.password, 'password');
  // The current password is a credential like the login's: same throttle, same counters.
  const attempt = changesPassword
    ? { email: (await requireActiveSession(deps.pool, auth)).email, ip: client.ip }
    : undefined;
  if (attempt) await deps.throttle.admit(attempt);
  // Hashed before the transaction: the row lock should not wait for argon2.
  const passwordHash = update.password === undefined ? undefined : await deps.hasher.hash(update.password);

  let outcome: { user: User; revocation?: UserWideRevocation };
  try {
    outcome = await withTransaction(deps.pool, async (tx) => {
      const user = await requireActiveSession(tx, auth, { lock: true });
      if (changesPassword && !(await deps.hasher.verify(user.passwordHash, update.currentPassword ?? ''))) {
        throw problems.forbidden('currentPassword is not the current password');
      }
      const changes: UserChanges = {};
      const changed: string[] = [];
      if (update.name !== undefined && update.name !== user.name) {
        changes.name = update.name;
        changed.push('name');
      }
      const email = update.email === undefined ? undefined : normalizeEmail(update.email);
      if (email !== undefined && email !== user.email) {
        changes.email = email;
        changed.push('email');
      }
      let revocation: UserWideRevocation | undefined;
      if (passwordHash !== undefined) {
        revocation = userWideRevocation(user, 'password-change', {
          nowSeconds: epochSeconds(deps),
          tokenTtlSeconds: deps.tokens.ttlSeconds,
        });
        changes.passwordHash = passwordHash;
        changes.tokensRevokedThrough = revocation.issuedAtOrBefore;
        changed.push('password');
      }
      if (changed.length === 0) return { user };

      const updated = await updateUser(tx, user.id, changes);
      await enqueueUserUpdated(tx, deps.eventSource, updated, changed);
      if (revocation) {
        await enqueueSessionRevoked(tx, deps.eventSource, revocation);
        // The browser sessions end too: a refresh cookie must not mint tokens past the new password.
        await revokeUserRefreshFamilies(tx, user.id);
      }
      return { user: updated, revocation };
    });
  } catch (err) {
    if (isUniqueViolation(err, EMAIL_UNIQUE_CONSTRAINT)) throw emailTaken();
    throw err;
  }

  if (attempt) await deps.throttle.succeeded(attempt);
  const { revocation } = outcome;
  if (!revocation) return { user: outcome.user };
  deps.revocations.revokeUserTokens(revocation.userId, revocation.issuedAtOrBefore, revocation.expiresAt);
  const session = await deps.tokens.issue({
    userId: outcome.user.id,
    role: outcome.user.role,
    revokedThrough: revocation.issuedAtOrBefore,
  });
  return { user: outcome.user, session };
}
