import type { Queryable } from '@moocflix/platform-db';

/** A stored refresh token, found by the hash of the presented one. */
export interface StoredRefreshToken {
  familyId: string;
  userId: string;
  /** Past its expiry by the database's clock. */
  expired: boolean;
  rotated: boolean;
  revoked: boolean;
}

export async function insertRefreshToken(
  db: Queryable,
  token: { hash: Buffer; familyId: string; userId: string; ttlSeconds: number },
): Promise<void> {
  await db.query(
    `INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [token.hash, token.familyId, token.userId, token.ttlSeconds],
  );
}

/** The token with this hash, locked until `tx` ends so two refreshes with it are decided one after the other. */
export async function lockRefreshToken(tx: Queryable, hash: Buffer): Promise<StoredRefreshToken | null> {
  const { rows } = await tx.query<{
    family_id: string;
    user_id: string;
    expired: boolean;
    rotated: boolean;
    revoked: boolean;
  }>(
    `SELECT family_id, user_id, expires_at <= now() AS expired,
            rotated_at IS NOT NULL AS rotated, revoked_at IS NOT NULL AS revoked
       FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
    [hash],
  );
  const row = rows[0];
  return row
    ? {
        familyId: row.family_id,
        userId: row.user_id,
        expired: row.expired,
        rotated: row.rotated,
        revoked: row.revoked,
      }
    : null;
}

export async function markRefreshTokenRotated(tx: Queryable, hash: Buffer): Promise<void> {
  await tx.query('UPDATE refresh_tokens SET rotated_at = now() WHERE token_hash = $1', [hash]);
}

/** Ends a family: none of its tokens refreshes any more. */
export async function revokeRefreshFamily(db: Queryable, familyId: string): Promise<void> {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [
    familyId,
  ]);
}

/** Ends every family of the user (logout, password change, deactivation). */
export async function revokeUserRefreshFamilies(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [
    userId,
  ]);
}

/** The family of a token, whatever its state (sign-out ends it). */
export async function findRefreshFamily(db: Queryable, hash: Buffer): Promise<string | null> {
  const { rows } = await db.query<{ family_id: string }>(
    'SELECT family_id FROM refresh_tokens WHERE token_hash = $1',
    [hash],
  );
  return rows[0]?.family_id ?? null;
}

/** Expired tokens can be neither used nor reused; their rows only take room. */
export async function deleteExpiredRefreshTokens(db: Queryable): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM refresh_tokens WHERE expires_at < now()');
  return rowCount ?? 0;
}
