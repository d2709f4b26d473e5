import type { Queryable } from '@moocflix/platform/db';

/** False when the token was already revoked. */
export async function insertRevokedToken(
  db: Queryable,
  token: { tokenId: string; userId: string; expiresAt: number },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO revoked_tokens (token_id, user_id, expires_at) VALUES ($1, $2, to_timestamp($3))
     ON CONFLICT (token_id) DO NOTHING`,
    [token.tokenId, token.userId, token.expiresAt],
  );
  return rowCount === 1;
}

export async function isTokenRevoked(db: Queryable, tokenId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM revoked_tokens WHERE token_id = $1', [tokenId]);
  return (rowCount ?? 0) > 0;
}

/**
 * Rows of tokens that expired are useless (the verifier refuses them anyway); `graceSeconds` covers
 * the verifier's clock tolerance.
 */
export async function deleteExpiredRevokedTokens(db: Queryable, graceSeconds: number): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM revoked_tokens WHERE expires_at < now() - make_interval(secs => $1)',
    [graceSeconds],
  );
  return rowCount ?? 0;
}
