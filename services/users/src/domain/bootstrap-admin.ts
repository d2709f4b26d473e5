import type { Logger } from 'pino';
import { ConfigError } from '@moocflix/platform-core/config';
import { HttpProblem } from '@moocflix/platform-core/errors';
import { findUserByEmail } from '../data/user-repository';
import { createUser } from './create-user';
import type { UseCaseContext } from './use-case-context';
import { checkNewPassword, passwordProblemMessages } from './password-policy';
import { normalizeEmail } from './user';

/**
 * `admin` cannot be chosen at signup, so the first administrator comes from configuration
 * (USERS_BOOTSTRAP_ADMIN_EMAIL / _PASSWORD). Idempotent: every start — and every replica — may run
 * it; an existing account with that email is left exactly as it is.
 */
export async function bootstrapAdmin(
  deps: UseCaseContext,
  admin: { email: string; password: string; name: string },
  logger: Logger,
): Promise<void> {
  const email = normalizeEmail(admin.email);
  const existing = await findUserByEmail(deps.pool, email);
  if (existing) {
    if (existing.role !== 'admin')
      logger.warn(
        { userId: existing.id },
        'bootstrap admin email belongs to a non-admin account; left unchanged',
      );
    return;
  }
  const weakness = checkNewPassword(admin.password);
  if (weakness)
    throw new ConfigError([`USERS_BOOTSTRAP_ADMIN_PASSWORD: ${passwordProblemMessages[weakness]}`]);
  try {
    const user = await createUser(deps, {
      email,
      name: admin.name,
      role: 'admin',
      passwordHash: await deps.hasher.hash(admin.password),
    });
    logger.info({ userId: user.id }, 'bootstrap admin created');
  } catch (err) {
    // Another replica created it at the same moment: the goal is reached.
    if (err instanceof HttpProblem && err.status === 409) return;
    throw err;
  }
}
