import type { Logger } from 'pino';
import { periodicTask, type PeriodicTask } from '@moocflix/platform-core/process';
import type { RevocationSnapshot } from './revocation-snapshot';
import type { RevocationList } from './types';

/** How often the revocations in force are read again while the bus does not answer. */
export const REVOCATION_OUTAGE_REFRESH_MS = 10_000;

export interface RevocationOutageRefreshOptions {
  /** Whether the bus that carries Session-Revoked answers (EventBus.ping: bounded, never throws). */
  busAnswers: () => Promise<boolean>;
  /**
   * The revocations in force from their source of truth: the users service's signed snapshot over
   * HTTP, or, in the users service itself, its own database.
   */
  load: (signal: AbortSignal) => Promise<RevocationSnapshot>;
  revocations: RevocationList;
  logger: Logger;
  intervalMs?: number;
}

/**
 * While the event bus does not answer, reads the revocations in force from their source every
 * `intervalMs` and applies them. A broker outage no longer takes the services out of their Services
 * (the bus only degrades /readyz), so requests keep being served; without this, a logout or a
 * deactivation made during the outage would only reach the other processes when the broker came
 * back, and the token it revoked would be accepted meanwhile. Applying a snapshot only adds
 * revocations, so a stale or repeated one is harmless; the feed takes over again when the bus
 * answers, and delivers the same revocations a second time, which is as harmless.
 */
export function startRevocationOutageRefresh(options: RevocationOutageRefreshOptions): PeriodicTask {
  const { revocations, logger } = options;
  let refreshing = false;
  const task = periodicTask({
    name: 'revocations-while-bus-down',
    logger,
    intervalMs: options.intervalMs ?? REVOCATION_OUTAGE_REFRESH_MS,
    async run(signal) {
      if (await options.busAnswers()) {
        if (refreshing) logger.info('auth: the event bus answers again; revocations arrive by event');
        refreshing = false;
        return;
      }
      if (!refreshing) {
        logger.warn(
          'auth: the event bus does not answer; reading the revocations in force from their source meanwhile',
        );
      }
      refreshing = true;
      revocations.applySnapshot(await options.load(signal));
    },
  });
  task.start();
  return task;
}
