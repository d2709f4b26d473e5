import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';

/**
 * Exit status of a process ended by the guard: EX_SOFTWARE ("internal software error", sysexits.h),
 * distinct from 1 (a start that failed on configuration or a dependency), so `kubectl describe pod`
 * tells a crash from a refusal to start.
 */
export const UNEXPECTED_ERROR_EXIT_CODE = 70;

export type UnexpectedErrorKind = 'uncaughtException' | 'unhandledRejection';

export interface ProcessGuardOptions {
  /** The process's logger; its bindings (service name) go into the fatal line. */
  logger: Logger;
  /** What this process is ('courses', 'moocflix', 'transcoder one-shot', 'operator'), logged with the error. */
  name: string;
  /**
   * Awaited before the exit, bounded by `flushTimeoutMs`: flush what would otherwise be lost
   * (traces, a last metrics push). The log itself is flushed by the guard.
   */
  beforeExit?: () => Promise<void> | void;
  /** Upper bound for beforeExit + log flush before the process exits anyway (default 3 s). */
  flushTimeoutMs?: number;
}

export interface ProcessGuard {
  /** Adds moocflix_process_unexpected_errors_total to a registry served at /metrics. */
  registerMetrics(registry: Registry): void;
  /** Removes the handlers (tests; a process's main never does). */
  uninstall(): void;
}

// One counter per process, shared by every registry it is registered in: the process-wide handlers
// are one per process too, whatever number of platforms (the launcher) it runs.
let counter: Counter<'kind'> | undefined;
const METRIC_NAME = 'moocflix_process_unexpected_errors_total';

function unexpectedErrors(): Counter<'kind'> {
  counter ??= new Counter({
    name: METRIC_NAME,
    help: 'Errors nothing handled (uncaught exceptions, unhandled promise rejections); each ends the process',
    labelNames: ['kind'],
    registers: [],
  });
  return counter;
}

let installed: ProcessGuard | undefined;

/**
 * The one policy for the unexpected, installed by every entry point (runStandalone, the `make dev`
 * launcher, the transcoder one-shot, the operator): an uncaught exception or an unhandled
 * rejection means some state of the process is now unknown (a half-done handler, a lock never
 * released, a stream nobody listens to), so the process must not carry on serving as if nothing
 * happened. It is logged at fatal level with what was running, counted, and the process exits
 * non-zero once the log is flushed, so the orchestrator (Kubernetes, the Job controller, a
 * supervisor around `make dev`) restarts it clean.
 *
 * Errors a request can cause are handled where they happen (the problem handler answers 4xx/5xx);
 * reaching this guard is always a bug to fix, which the fatal line and the metric make visible.
 * Installing twice returns the first guard: the handlers are process-wide.
 */
export function installProcessGuard(options: ProcessGuardOptions): ProcessGuard {
  if (installed) return installed;
  const { logger, name } = options;
  const flushTimeoutMs = options.flushTimeoutMs ?? 3_000;
  const startedAt = Date.now();
  let exiting = false;

  const onUnexpected = (kind: UnexpectedErrorKind, error: unknown): void => {
    unexpectedErrors().inc({ kind });
    const err = error instanceof Error ? error : new Error(`non-Error value: ${safeString(error)}`);
    const context = {
      err,
      kind,
      process: name,
      pid: process.pid,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      // Cheap and always there: what the event loop still held (servers, sockets, timers), which
      // tells an idle process from one with requests and consumers in flight.
      activeResources: countResources(),
    };
    if (exiting) {
      // A second failure while flushing the first: log it too, the exit is already on its way.
      logger.fatal(context, `${name}: another ${kind} while exiting: ${err.message}`);
      return;
    }
    exiting = true;
    logger.fatal(context, `${name}: ${kind}: ${err.message}; exiting so that the process is restarted`);
    const exit = (): never => process.exit(UNEXPECTED_ERROR_EXIT_CODE);
    // Whatever happens below, the process ends within the bound.
    setTimeout(exit, flushTimeoutMs);
    void Promise.resolve()
      .then(() => options.beforeExit?.())
      .catch((hookError: unknown) => logger.error({ err: hookError }, `${name}: beforeExit hook failed`))
      .finally(() => flushLog(logger, exit));
  };

  const onException = (error: Error): void => onUnexpected('uncaughtException', error);
  const onRejection = (reason: unknown): void => onUnexpected('unhandledRejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);

  const guard: ProcessGuard = {
    registerMetrics(registry) {
      if (!registry.getSingleMetric(METRIC_NAME)) registry.registerMetric(unexpectedErrors());
    },
    uninstall() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
      if (installed === guard) installed = undefined;
    },
  };
  installed = guard;
  return guard;
}

function flushLog(logger: Logger, then: () => void): void {
  try {
    logger.flush((err) => {
      if (err) process.stderr.write(`log flush failed: ${String(err)}\n`);
      then();
    });
  } catch {
    then();
  }
}

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
