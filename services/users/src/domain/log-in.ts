import { problems } from '@moocflix/platform-core/errors';
import { findUserById, findUserByEmail, replacePasswordHash } from '../data/user-repository';
import type { IssuedToken } from './access-token-issuer';
import type { UseCaseContext } from './use-case-context';
import { normalizeEmail, type User } from './user';

/** One answer for unknown email, wrong password and deactivated account: nothing to enumerate. */
const invalidCredentials = () => problems.unauthorized('invalid email or password');

export async function logIn(
  deps: UseCaseContext,
  attempt: { email: string; password: string; ip: string },
): Promise<IssuedToken> {
  const user = await verifyCredentials(deps, attempt);
  return deps.tokens.issue({ userId: user.id, role: user.role, revokedThrough: user.tokensRevokedThrough });
}

/**
 * The active account the email and password prove, read after the verification (see
 * currentStateAfterVerification); 401 otherwise, 429 while throttled. Both sign-ins use it: the
 * bearer login and the browser session.
 */
export async function verifyCredentials(
  deps: UseCaseContext,
  attempt: { email: string; password: string; ip: string },
): Promise<User> {
  const email = normalizeEmail(attempt.email);
  // Counted under the normalised email whether or not an account has it: the 429s, like the 401s,
  // say nothing about which emails exist.
  await deps.throttle.admit({ email, ip: attempt.ip });
  const user = await findUserByEmail(deps.pool, email);
  if (!user) {
    await deps.hasher.verifyAgainstDummy(attempt.password);
    throw invalidCredentials();
  }
  // Verified even for a deactivated account, so its answer takes as long as any other.
  const passwordMatches = await deps.hasher.verify(user.passwordHash, attempt.password);
  if (!passwordMatches || user.status !== 'active') throw invalidCredentials();

  const current = await currentStateAfterVerification(deps, user, attempt.password);
  // Password changed or account deactivated while we were verifying: the old password proves nothing.
  if (!current || current.status !== 'active') throw invalidCredentials();
  await deps.throttle.succeeded({ email, ip: attempt.ip });
  return current;
}

/**
 * Re-reads the account after the (slow) verification, upgrading the hash to today's argon2
 * parameters when they changed. Null when the password was changed meanwhile. Reading the revocation
 * cut-off this late also means a token is never dated before a password change that committed while
 * the old password was being verified.
 */
async function currentStateAfterVerification(
  deps: UseCaseContext,
  user: User,
  password: string,
): Promise<User | null> {
  if (deps.hasher.needsRehash(user.passwordHash)) {
    return replacePasswordHash(deps.pool, user.id, user.passwordHash, await deps.hasher.hash(password));
  }
  const current = await findUserById(deps.pool, user.id);
  return current?.passwordHash === user.passwordHash ? current : null;
}
