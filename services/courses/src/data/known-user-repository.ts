import type { Queryable } from '@moocflix/platform/db';

export type KnownUserStatus = 'active' | 'deactivated';

export interface KnownUser {
  id: string;
  email: string;
  name: string;
  role: string;
  status: KnownUserStatus;
}

/**
 * Stores the snapshot unless a newer one (by event time) is already there, so a late redelivery of
 * an old event never undoes a deactivation. Returns whether it was stored.
 */
export async function saveKnownUser(db: Queryable, user: KnownUser, asOf: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO known_users (id, email, name, role, status, as_of) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE
       SET email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role, status = EXCLUDED.status, as_of = EXCLUDED.as_of
       WHERE known_users.as_of <= EXCLUDED.as_of`,
    [user.id, user.email, user.name, user.role, user.status, asOf],
  );
  return rowCount === 1;
}

/**
 * The user's status, read with a share lock so that a deactivation being recorded right now is
 * waited for: an enrollment either sees it, or commits before its enrollments are deactivated.
 * Undefined when the user's events have not reached us yet.
 */
export async function lockKnownUserStatus(db: Queryable, userId: string): Promise<KnownUserStatus | undefined> {
  const { rows } = await db.query<{ status: KnownUserStatus }>('SELECT status FROM known_users WHERE id = $1 FOR SHARE', [userId]);
  return rows[0]?.status;
}
