import type { Queryable } from '@moocflix/platform/db';

export interface BucketState {
  /** Hits in the current window, this one included. */
  hits: number;
  /** Whole seconds until the window ends (at least 1). */
  secondsLeft: number;
}

/**
 * Counts one hit in `bucket`'s fixed window, atomically (one upsert), so concurrent requests on
 * several replicas can never all slip under the limit. A window starts with the first hit after the
 * previous one ended. The database clock is the only clock, so replicas need not agree on time.
 */
export async function hitBucket(db: Queryable, bucket: string, windowSeconds: number): Promise<BucketState> {
  const { rows } = await db.query<{ hits: number; seconds_left: number }>(
    `INSERT INTO login_rate_limits AS l (bucket, hits, window_end)
     VALUES ($1, 1, now() + make_interval(secs => $2))
     ON CONFLICT (bucket) DO UPDATE SET
       hits       = CASE WHEN l.window_end <= now() THEN 1 ELSE l.hits + 1 END,
       window_end = CASE WHEN l.window_end <= now() THEN excluded.window_end ELSE l.window_end END
     RETURNING hits, greatest(1, ceil(extract(epoch FROM window_end - now())))::int AS seconds_left`,
    [bucket, windowSeconds],
  );
  const row = rows[0]!;
  return { hits: row.hits, secondsLeft: row.seconds_left };
}

export async function resetBucket(db: Queryable, bucket: string): Promise<void> {
  await db.query('DELETE FROM login_rate_limits WHERE bucket = $1', [bucket]);
}

export async function deleteEndedBuckets(db: Queryable): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM login_rate_limits WHERE window_end < now()');
  return rowCount ?? 0;
}
