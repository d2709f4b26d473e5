import type { AuthContext } from '@moocflix/platform-http/auth';
import type { UseCaseContext } from './use-case-context';
import { requireActiveSession } from './session';
import type { User } from './user';

/** The caller's own account: the token's subject is the only user a caller can read. */
export function getProfile(deps: UseCaseContext, auth: AuthContext): Promise<User> {
  return requireActiveSession(deps.pool, auth);
}
