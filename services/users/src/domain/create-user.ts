import { randomUUID } from 'node:crypto';
import type { Role } from '@moocflix/platform-http/auth';
import { isUniqueViolation, withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { EMAIL_UNIQUE_CONSTRAINT, insertUser } from '../data/user-repository';
import type { UseCaseContext } from './use-case-context';
import { enqueueUserCreated } from './user-events';
import { normalizeEmail, type User } from './user';

export const emailTaken = () => problems.conflict('An account with this email already exists', 'email-taken');

/**
 * Inserts the account and its User-Creation event in one transaction. The unique constraint on the
 * normalised email decides duplicates, so of two concurrent signups exactly one wins and the other
 * gets 409 — no check-then-insert race.
 */
export async function createUser(
  deps: UseCaseContext,
  account: { email: string; name: string; role: Role; passwordHash: string },
): Promise<User> {
  try {
    return await withTransaction(deps.pool, async (tx) => {
      const user = await insertUser(tx, {
        ...account,
        id: randomUUID(),
        email: normalizeEmail(account.email),
      });
      await enqueueUserCreated(tx, deps.eventSource, user);
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err, EMAIL_UNIQUE_CONSTRAINT)) throw emailTaken();
    throw err;
  }
}
