import type { Queryable } from '@moocflix/platform-db';

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
