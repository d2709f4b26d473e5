import type { Logger } from 'pino';
import type { Pool } from '@moocflix/platform-db';
import { periodicTask, type PeriodicTask } from '@moocflix/platform-core/process';
import { deleteNotificationsCreatedBefore } from '../data/notification-repository';

const DAY_MS = 24 * 60 * 60_000;
const CHUNK = 1_000;

export interface NotificationRetentionOptions {
  pool: Pool;
  logger: Logger;
  now: () => Date;
  retentionDays: number;
  sweepIntervalMs: number;
}

// The first sweep soon after start, so a service redeployed more often than the interval still
// sweeps; at a random moment in that minute, so replicas started together spread their sweeps.
const FIRST_SWEEP_WITHIN_MS = 60_000;

/**
 * Deletes notifications older than the retention, every sweep interval. Replicas may sweep at the
 * same time: SKIP LOCKED lets them split the rows instead of waiting on each other.
 */
export function notificationRetention(options: NotificationRetentionOptions): PeriodicTask {
  return periodicTask({
    name: 'notification-retention',
    logger: options.logger,
    intervalMs: options.sweepIntervalMs,
    firstRunAfterMs: Math.random() * Math.min(FIRST_SWEEP_WITHIN_MS, options.sweepIntervalMs),
    async run(signal) {
      const cutoff = new Date(options.now().getTime() - options.retentionDays * DAY_MS);
      let deleted = 0;
      for (;;) {
        const chunk = await deleteNotificationsCreatedBefore(options.pool, cutoff, CHUNK);
        deleted += chunk;
        if (chunk < CHUNK || signal.aborted) break;
      }
      if (deleted > 0) options.logger.info({ deleted, cutoff }, 'expired notifications deleted');
    },
  });
}
