import type { Queryable } from '@moocflix/platform-db';

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

/**
 * The revocations still in force, from this service's tables (their source of truth): single
 * tokens (logout) whose expiry is less than `graceSeconds` ago, and the user-wide cut-offs
 * (password change, deactivation) whose tokens can still be alive, i.e. cut-off + token lifetime
 * less than `graceSeconds` ago. `graceSeconds` covers the verifiers' clock tolerance.
 */
export async function listRevocationsInForce(
  db: Queryable,
  options: { nowSeconds: number; tokenTtlSeconds: number; graceSeconds: number },
): Promise<{
  tokens: Array<{ tokenId: string; expiresAt: number }>;
  users: Array<{ userId: string; issuedAtOrBefore: number; expiresAt: number }>;
}> {
  const oldestAlive = options.nowSeconds - options.graceSeconds;
  const [tokens, users] = await Promise.all([
    db.query<{ token_id: string; expires_at: string }>(
      `SELECT token_id, extract(epoch FROM expires_at)::bigint AS expires_at FROM revoked_tokens
        WHERE expires_at >= to_timestamp($1)`,
      [oldestAlive],
    ),
    // A cut-off kills tokens issued at or before it, which expire at the latest one lifetime later.
    db.query<{ id: string; tokens_revoked_through: string }>(
      'SELECT id, tokens_revoked_through FROM users WHERE tokens_revoked_through >= $1',
      [oldestAlive - options.tokenTtlSeconds],
    ),
  ]);
  return {
    tokens: tokens.rows.map((r) => ({ tokenId: r.token_id, expiresAt: Number(r.expires_at) })),
    users: users.rows.map((r) => ({
      userId: r.id,
      issuedAtOrBefore: Number(r.tokens_revoked_through),
      expiresAt: Number(r.tokens_revoked_through) + options.tokenTtlSeconds,
    })),
  };
}
