// A work queue of object keys with client-go's semantics:
//   - per-key dedupe: a key waiting in the queue is queued once however often it is added;
//   - a key is never processed by two workers at once: added while in flight, it is queued again
//     when done() is called;
//   - failures back off per key, exponentially with jitter, until forget() (after a success);
//   - addAfter() delays a key (requeue-after), keeping the earliest of several delays.
import { backoffDelay } from '@moocflix/platform-core/retry';
import type { ControllerMetrics } from './metrics';

export interface WorkQueueOptions {
  /** Label of the workqueue_* metrics. */
  name: string;
  /** First retry delay after a failure (default 100 ms); doubles per consecutive failure. */
  baseDelayMs?: number;
  /** Cap of the retry delay (default 5 min). */
  maxDelayMs?: number;
  metrics?: ControllerMetrics;
}

export class WorkQueue {
  readonly name: string;
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: WorkQueueOptions) {
    this.name = options.name;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.options.metrics?.workqueueAdds.inc({ name: this.name });
    this.dirty.add(key);
    if (!this.addedAt.has(key)) this.addedAt.set(key, performance.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds the key after `delayMs`; an earlier pending delay of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Re-adds a key that failed, after its per-key exponential backoff. */
  addRateLimited(key: string): void {
    const attempt = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempt);
    this.options.metrics?.workqueueRetries.inc({ name: this.name });
    // Jitter as client-go's item rate limiter: the delay is scaled by a factor in [0.5, 1].
    this.addAfter(key, backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs, 0.5));
  }

  /** Clears the key's failure count (call after it was processed successfully). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process; undefined once the queue is shut down. Call done(key) when finished. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.options.metrics?.workqueueWorkDuration.observe(
      { name: this.name },
      (performance.now() - started) / 1000,
    );
    if (this.dirty.has(key)) this.push(key);
  }

  /** Keys waiting (not those in flight or delayed). */
  len(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) return waiter(this.take(key));
    this.queue.push(key);
    this.updateDepth();
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.set(key, performance.now());
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined)
      this.options.metrics?.workqueueQueueDuration.observe(
        { name: this.name },
        (performance.now() - added) / 1000,
      );
    this.updateDepth();
    return key;
  }

  private updateDepth(): void {
    this.options.metrics?.workqueueDepth.set({ name: this.name }, this.queue.length);
  }
}
