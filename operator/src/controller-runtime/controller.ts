// A controller: workers take keys from a work queue and run the reconciler on each (observe →
// decide → act → report status). A failure re-queues the key with backoff; a result may ask to be
// called again later (e.g. to check a Kafka topic for drift, which no watch reports).
import type { Logger } from '@moocflix/platform-core/log';
import { isConflict } from './client';
import type { ControllerMetrics } from './metrics';
import { WorkQueue } from './workqueue';

export interface ReconcileResult {
  /** Reconcile this key again after this long (even if nothing changes). */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export interface ControllerOptions {
  name: string;
  reconcile: Reconcile;
  /** Keys reconciled at once (never the same key twice at once). Default 1. */
  workers?: number;
  logger: Logger;
  metrics?: ControllerMetrics;
  /** Backoff of a failing key (see WorkQueue). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly logger: Logger;
  private readonly workers: Promise<void>[] = [];
  private active = 0;

  constructor(private readonly options: ControllerOptions) {
    this.name = options.name;
    this.logger = options.logger.child({ controller: options.name });
    this.queue = new WorkQueue({
      name: options.name,
      metrics: options.metrics,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
    });
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  start(): void {
    const workers = this.options.workers ?? 1;
    this.options.metrics?.maxConcurrentReconciles.set({ controller: this.name }, workers);
    for (let i = 0; i < workers; i++) this.workers.push(this.work());
  }

  /** Stops taking keys and waits for the reconciles in flight. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    const { metrics } = this.options;
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const start = performance.now();
      this.active++;
      metrics?.activeWorkers.set({ controller: this.name }, this.active);
      try {
        const result = await this.options.reconcile(key);
        this.queue.forget(key);
        if (result?.requeueAfterMs !== undefined) {
          this.queue.addAfter(key, result.requeueAfterMs);
          metrics?.reconcileTotal.inc({ controller: this.name, result: 'requeue_after' });
        } else {
          metrics?.reconcileTotal.inc({ controller: this.name, result: 'success' });
        }
      } catch (err) {
        metrics?.reconcileTotal.inc({ controller: this.name, result: 'error' });
        metrics?.reconcileErrors.inc({ controller: this.name });
        // A write that lost an optimistic-concurrency race is routine: the newer object is coming.
        const level = isConflict(err) ? 'debug' : this.queue.numRequeues(key) < 3 ? 'warn' : 'error';
        this.logger[level](
          { err, key, retries: this.queue.numRequeues(key) },
          'reconcile failed; retrying with backoff',
        );
        this.queue.addRateLimited(key);
      } finally {
        this.active--;
        metrics?.activeWorkers.set({ controller: this.name }, this.active);
        metrics?.reconcileTime.observe({ controller: this.name }, (performance.now() - start) / 1000);
        this.queue.done(key);
      }
    }
  }
}
