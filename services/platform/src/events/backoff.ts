/**
 * Exponential backoff for the retry loops of the relay, the consumer helper and the buses:
 * `baseMs * 2^(attempt - 1)`, capped at `maxMs`, with up to 20% jitter so replicas that failed
 * together do not retry in lockstep.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + Math.random() * 0.2));
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
