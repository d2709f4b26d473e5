import type { Logger } from 'pino';
import type { Pool } from '@moocflix/platform-db';
import type { ObjectStorage } from '@moocflix/platform-storage';
import {
  claimDuePurges,
  finishPurge,
  postponePurge,
  type ClaimedPurge,
} from '../data/storage-purge-repository';

export interface StoragePurgerOptions {
  pool: Pool;
  storage: ObjectStorage;
  logger: Logger;
  /** Time between two sweeps for due purges: the safety net behind wake() (crashes, failed purges). */
  sweepIntervalMs: number;
  /** Delay before retrying a failed purge; doubles per failure up to an hour. Default 5 s. */
  firstRetryDelayMs?: number;
}

// Purges claimed per round; a round repeats while it finds a full batch.
const BATCH_SIZE = 20;
// A claimed purge is due again after this long: long enough for a big folder on a slow S3, short
// enough that the purge of a replica that died mid-way is soon taken over.
const LEASE_SECONDS = 300;
const DEFAULT_FIRST_RETRY_DELAY_MS = 5_000;
const MAX_RETRY_DELAY_MS = 60 * 60_000;

/**
 * Deletes the storage prefixes recorded in `storage_purges`, after the transactions that recorded
 * them, and never inside one: each purge is claimed by a short statement, deleted from storage
 * with no transaction open, then finished by another statement. A failed purge is retried with
 * exponential backoff; deleting a prefix twice is harmless, so a purge that ran but was not
 * finished (a crash) is simply run again.
 */
export class StoragePurger {
  private readonly logger: Logger;
  private sweepTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rerunRequested = false;
  private stopped = true;

  constructor(private readonly options: StoragePurgerOptions) {
    this.logger = options.logger.child({ component: 'storage-purger' });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // The first sweep finishes what a previous process left behind.
    this.trigger();
    this.sweepTimer = setInterval(() => this.trigger(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    await this.running;
  }

  /** Purges were just scheduled and committed: run now rather than at the next sweep. */
  wake(): void {
    this.trigger();
  }

  /** One run at a time; a trigger during a run makes it go round once more. */
  private trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerunRequested = true;
      return;
    }
    this.running = this.purgeDue().finally(() => {
      this.running = undefined;
      if (this.rerunRequested) {
        this.rerunRequested = false;
        this.trigger();
      }
    });
  }

  private async purgeDue(): Promise<void> {
    try {
      for (;;) {
        const claimed = await claimDuePurges(this.options.pool, BATCH_SIZE, LEASE_SECONDS);
        for (const purge of claimed) await this.purge(purge);
        if (claimed.length < BATCH_SIZE || this.stopped) return;
      }
    } catch (err) {
      // The database is away: the claimed rows' leases expire and the next sweep tries again.
      this.logger.warn({ err }, 'storage purge sweep failed');
    }
  }

  private async purge(purge: ClaimedPurge): Promise<void> {
    const log = this.logger.child({ prefix: purge.prefix, reason: purge.reason, attempt: purge.attempts });
    try {
      const deleted = await this.options.storage.deletePrefix(purge.prefix);
      await finishPurge(this.options.pool, purge);
      log.info({ objects: deleted }, 'storage prefix purged');
    } catch (err) {
      const firstDelayMs = this.options.firstRetryDelayMs ?? DEFAULT_FIRST_RETRY_DELAY_MS;
      const delayMs = Math.min(MAX_RETRY_DELAY_MS, firstDelayMs * 2 ** (purge.attempts - 1));
      log.warn({ err, retryInMs: delayMs }, 'storage purge failed; it will be retried');
      await postponePurge(
        this.options.pool,
        purge,
        delayMs,
        err instanceof Error ? err.message : String(err),
      );
    }
  }
}
