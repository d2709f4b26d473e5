import type { Logger } from 'pino';

export interface PeriodicTaskOptions {
  /** Names the task in its logs. */
  name: string;
  logger: Logger;
  /** Time from the end of one run to the start of the next. */
  intervalMs: number;
  /** Time from start() to the first run (default: intervalMs). */
  firstRunAfterMs?: number;
  /**
   * One run. `signal` aborts when stop() is called: a long run should end its current chunk and
   * return, leaving the rest to the next process. A rejection is logged; the next run tries again.
   */
  run(signal: AbortSignal): Promise<void>;
}

export interface PeriodicTask {
  start(): void;
  /** Resolves after the run in progress, if any, has returned. */
  stop(): Promise<void>;
}

/**
 * Housekeeping on a timer (retention sweeps and the like): never two runs at once, the next one
 * scheduled only after the previous ended (a slow run never piles up), timers that do not keep the
 * process alive, and a stop() that waits for the run in progress so a pool is not closed under it.
 */
export function periodicTask(options: PeriodicTaskOptions): PeriodicTask {
  const logger = options.logger.child({ task: options.name });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopSignal: AbortController | undefined;

  function schedule(delayMs: number, signal: AbortSignal): void {
    timer = setTimeout(() => {
      running = options
        .run(signal)
        .catch((err: unknown) => logger.warn({ err }, 'periodic task failed; the next run tries again'))
        .finally(() => {
          running = undefined;
          if (!signal.aborted) schedule(options.intervalMs, signal);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (stopSignal) return;
      stopSignal = new AbortController();
      schedule(options.firstRunAfterMs ?? options.intervalMs, stopSignal.signal);
    },
    async stop() {
      stopSignal?.abort();
      stopSignal = undefined;
      clearTimeout(timer);
      await running;
    },
  };
}
