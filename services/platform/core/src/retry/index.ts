/**
 * Exponential backoff with jitter for every retry loop of the platform (outbox relay, event
 * consumers, buses) and of the operator (work queue, informers, leader election), as client-go's
 * rate limiters: `baseMs * 2^(attempt - 1)` capped at `maxMs`, then scaled by a random factor in
 * [1 - jitter, 1], so that many keys or replicas failing together do not retry in lockstep.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, jitter = 0.2): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 - jitter + Math.random() * jitter));
}

/** Waits `ms`, or less when `signal` aborts (shutdown must not sit out a long backoff). Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * A wait that ends early on wake() or when `signal` aborts; a wake() while nobody waits makes the
 * next wait return at once (a NOTIFY that arrives while the loop is busy is not lost). The loops that
 * poll a table and are woken by LISTEN/NOTIFY use it: the outbox relay, the PostgreSQL bus.
 */
export class Wakeup {
  private pending = false;
  private waiter: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    this.waiter?.();
  }

  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (!this.pending && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.waiter = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener('abort', done, { once: true });
        this.waiter = done;
      });
    }
    this.pending = false;
  }
}
