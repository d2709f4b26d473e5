import type { Queryable } from '@moocflix/platform-db';

/** One login throttle counter, times in epoch milliseconds of the database clock. */
export interface CounterState {
  failures: number;
  windowEnd: number;
  /** Null: no delay running. */
  blockedUntil: number | null;
}

export interface LockedCounters {
  /** The database's now() (epoch ms): the only clock, so replicas need not agree on time. */
  now: number;
  /** Every bucket asked for; a new one is an empty counter whose window has already ended. */
  states: Map<string, CounterState>;
}

const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

/**
 * Locks the counters of `buckets` (creating missing ones) until `tx` ends, so concurrent attempts on
 * several replicas are counted one after the other and can never all slip under a limit. Rows are
 * created and locked in one order (code-point order: JavaScript's sort and the "C" collation agree
 * on it), so two attempts sharing counters cannot deadlock.
 */
export async function lockCounters(tx: Queryable, buckets: string[]): Promise<LockedCounters> {
  const sorted = [...new Set(buckets)].sort();
  const { rows: clock } = await tx.query<{ now: number }>(
    `WITH created AS (
       INSERT INTO login_throttle (bucket, failures, window_end)
       SELECT b, 0, now() FROM unnest($1::text[]) WITH ORDINALITY AS u(b, n) ORDER BY n
       ON CONFLICT (bucket) DO NOTHING
     )
     SELECT ${epochMs('now()')} AS now`,
    [sorted],
  );
  const { rows } = await tx.query<{
    bucket: string;
    failures: number;
    window_end: number;
    blocked_until: number | null;
  }>(
    `SELECT bucket, failures, ${epochMs('window_end')} AS window_end, ${epochMs('blocked_until')} AS blocked_until
       FROM login_throttle WHERE bucket = ANY($1::text[]) ORDER BY bucket COLLATE "C" FOR UPDATE`,
    [sorted],
  );
  const now = clock[0]!.now;
  const found = new Map(rows.map((r) => [r.bucket, r]));
  // A row the sweeper deleted in between (its window had ended) is an empty counter all the same.
  const states = new Map<string, CounterState>(
    sorted.map((bucket) => {
      const r = found.get(bucket);
      return [
        bucket,
        r
          ? { failures: r.failures, windowEnd: r.window_end, blockedUntil: r.blocked_until }
          : { failures: 0, windowEnd: now, blockedUntil: null },
      ];
    }),
  );
  return { now, states };
}

/** Writes the counters locked by lockCounters (an upsert: a row may have been swept meanwhile). */
export async function saveCounters(tx: Queryable, counters: Map<string, CounterState>): Promise<void> {
  const entries = [...counters];
  await tx.query(
    `INSERT INTO login_throttle AS t (bucket, failures, window_end, blocked_until)
     SELECT v.bucket, v.failures, to_timestamp(v.window_end / 1000), to_timestamp(v.blocked_until / 1000)
       FROM unnest($1::text[], $2::int[], $3::float8[], $4::float8[]) AS v(bucket, failures, window_end, blocked_until)
     ON CONFLICT (bucket) DO UPDATE
        SET failures = excluded.failures, window_end = excluded.window_end, blocked_until = excluded.blocked_until`,
    [
      entries.map(([bucket]) => bucket),
      entries.map(([, s]) => s.failures),
      entries.map(([, s]) => s.windowEnd),
      entries.map(([, s]) => s.blockedUntil),
    ],
  );
}

/** Deletes the counter; the failures it held in a window still running (0 when none). */
export async function deleteCounter(db: Queryable, bucket: string): Promise<number> {
  const { rows } = await db.query<{ failures: number }>(
    `DELETE FROM login_throttle WHERE bucket = $1
     RETURNING CASE WHEN window_end > now() THEN failures ELSE 0 END AS failures`,
    [bucket],
  );
  return rows[0]?.failures ?? 0;
}

/** Takes `count` counted attempts back from each of `buckets`; a running delay stays. */
export async function refundAttempts(db: Queryable, buckets: string[], count: number): Promise<void> {
  await db.query(
    `UPDATE login_throttle SET failures = greatest(0, failures - $2)
      WHERE bucket = ANY($1::text[]) AND window_end > now()`,
    [buckets, count],
  );
}

/** Counters whose window (and so any delay) has ended hold nothing worth keeping. */
export async function deleteEndedBuckets(db: Queryable): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM login_throttle WHERE window_end < now()');
  return rowCount ?? 0;
}
