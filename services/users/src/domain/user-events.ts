import type { Queryable } from '@moocflix/platform-db';
import { enqueueEvent, Topics, type EventData } from '@moocflix/platform-bus';
import type { User } from './user';

/** What every user event carries (the kit's schema): never the hash or the revocation bookkeeping. */
function snapshot(user: User) {
  return { userId: user.id, email: user.email, name: user.name, role: user.role, status: user.status };
}

/** Queues User-Creation in the caller's transaction (transactional outbox). */
export async function enqueueUserCreated(tx: Queryable, source: string, user: User): Promise<void> {
  await enqueueEvent(tx, Topics.UserCreation, {
    source,
    subject: user.id,
    data: { ...snapshot(user), createdAt: user.createdAt.toISOString() },
  });
}

/** Queues User-Update; `changed` names the fields that changed (password included, never its value). */
export async function enqueueUserUpdated(
  tx: Queryable,
  source: string,
  user: User,
  changed: string[],
): Promise<void> {
  await enqueueEvent(tx, Topics.UserUpdate, {
    source,
    subject: user.id,
    data: { ...snapshot(user), changed, updatedAt: user.updatedAt.toISOString() },
  });
}

export type SessionRevokedData = EventData<typeof Topics.SessionRevoked>;

/** Queues Session-Revoked: how every other service's auth middleware learns to refuse the tokens. */
export async function enqueueSessionRevoked(
  tx: Queryable,
  source: string,
  data: SessionRevokedData,
): Promise<void> {
  await enqueueEvent(tx, Topics.SessionRevoked, { source, subject: data.userId, data });
}
