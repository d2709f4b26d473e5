import type { Role } from '@moocflix/platform-http/auth';
import type { Queryable } from '@moocflix/platform-db';
import type { User, UserStatus } from '../domain/user';

/** The unique constraint that makes a taken email a 409, also when two signups race. */
export const EMAIL_UNIQUE_CONSTRAINT = 'users_email_key';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  password_hash: string;
  tokens_revoked_through: number | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, email, name, role, status, password_hash, tokens_revoked_through, created_at, updated_at';

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    passwordHash: row.password_hash,
    tokensRevokedThrough: row.tokens_revoked_through,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertUser(
  db: Queryable,
  user: { id: string; email: string; name: string; role: Role; passwordHash: string },
): Promise<User> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [user.id, user.email, user.name, user.role, user.passwordHash],
  );
  return toUser(rows[0]!);
}

export async function findUserByEmail(db: Queryable, email: string): Promise<User | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE email = $1`, [email]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** `lock`: FOR UPDATE, for a transaction that will change the row. */
export async function findUserById(
  db: Queryable,
  id: string,
  options: { lock?: boolean } = {},
): Promise<User | null> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM users WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? toUser(rows[0]) : null;
}

/**
 * Stores a re-made hash only if the stored one is still `expected` (compare-and-set): a password
 * changed meanwhile must not be overwritten by the old password's rehash. Null when it was changed.
 */
export async function replacePasswordHash(
  db: Queryable,
  id: string,
  expected: string,
  replacement: string,
): Promise<User | null> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2 RETURNING ${COLUMNS}`,
    [id, expected, replacement],
  );
  return rows[0] ? toUser(rows[0]) : null;
}

export interface UserChanges {
  email?: string;
  name?: string;
  passwordHash?: string;
  status?: UserStatus;
  tokensRevokedThrough?: number;
}

export async function updateUser(db: Queryable, id: string, changes: UserChanges): Promise<User> {
  const columns: Record<keyof UserChanges, string> = {
    email: 'email',
    name: 'name',
    passwordHash: 'password_hash',
    status: 'status',
    tokensRevokedThrough: 'tokens_revoked_through',
  };
  const assignments: string[] = [];
  const values: unknown[] = [id];
  for (const [field, value] of Object.entries(changes) as [keyof UserChanges, unknown][]) {
    if (value === undefined) continue;
    values.push(value);
    assignments.push(`${columns[field]} = $${values.length}`);
  }
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET ${[...assignments, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
    values,
  );
  return toUser(rows[0]!);
}
