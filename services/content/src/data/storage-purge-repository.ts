import { randomUUID } from 'node:crypto';
import type { Queryable } from '@moocflix/platform-db';

/** A storage prefix waiting to be deleted, as claimed by a purger. */
export interface ClaimedPurge {
  prefix: string;
  reason: string;
  /** Identifies this scheduling of the prefix: a purge finishes only the one it claimed. */
  schedulingId: string;
  attempts: number;
}

/**
 * Records `prefix` for deletion, in the caller's transaction. Scheduling it again (say, a transcoder
 * wrote into a deleted video's folder after it was purged) makes it due now and a new scheduling.
 */
export async function schedulePurge(db: Queryable, prefix: string, reason: string): Promise<void> {
  await db.query(
    `INSERT INTO storage_purges (prefix, reason, scheduling_id) VALUES ($1, $2, $3)
     ON CONFLICT (prefix) DO UPDATE
       SET reason = EXCLUDED.reason, scheduling_id = EXCLUDED.scheduling_id, scheduled_at = now(),
           next_attempt_at = now(), attempts = 0`,
    [prefix, reason, randomUUID()],
  );
}

/**
 * Up to `limit` due purges, each leased for `leaseSeconds` (its next attempt moved that far ahead)
 * in one short statement: replicas never claim the same row at once, and a purger that dies
 * mid-purge leaves it to whoever sweeps after the lease.
 */
export async function claimDuePurges(
  db: Queryable,
  limit: number,
  leaseSeconds: number,
): Promise<ClaimedPurge[]> {
  const { rows } = await db.query<{
    prefix: string;
    reason: string;
    scheduling_id: string;
    attempts: number;
  }>(
    `UPDATE storage_purges SET next_attempt_at = now() + make_interval(secs => $2), attempts = attempts + 1
      WHERE prefix IN (SELECT prefix FROM storage_purges WHERE next_attempt_at <= now()
                        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING prefix, reason, scheduling_id, attempts`,
    [limit, leaseSeconds],
  );
  return rows.map((row) => ({
    prefix: row.prefix,
    reason: row.reason,
    schedulingId: row.scheduling_id,
    attempts: row.attempts,
  }));
}

/** Done — unless the prefix was scheduled again meanwhile, which then stays due. */
export async function finishPurge(db: Queryable, purge: ClaimedPurge): Promise<void> {
  await db.query('DELETE FROM storage_purges WHERE prefix = $1 AND scheduling_id = $2', [
    purge.prefix,
    purge.schedulingId,
  ]);
}

export async function postponePurge(
  db: Queryable,
  purge: ClaimedPurge,
  delayMs: number,
  error: string,
): Promise<void> {
  await db.query(
    `UPDATE storage_purges SET next_attempt_at = now() + make_interval(secs => $3), last_error = $4
      WHERE prefix = $1 AND scheduling_id = $2`,
    [purge.prefix, purge.schedulingId, delayMs / 1000, error],
  );
}
