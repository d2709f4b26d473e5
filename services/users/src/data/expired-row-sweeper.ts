import type { Logger } from 'pino';
import type { Pool } from '@moocflix/platform-db';
import { deleteEndedBuckets } from './rate-limit-repository';
import { deleteExpiredRefreshTokens } from './refresh-token-repository';
import { deleteExpiredRevokedTokens } from './revoked-token-repository';

const SWEEP_INTERVAL_MS = 5 * 60_000;
/** Longer than any verifier's clock tolerance, so no revoked token comes back to life early. */
const REVOKED_TOKEN_GRACE_SECONDS = 120;

/**
 * Keeps the bookkeeping tables small: revocations of tokens that expired anyway, ended
 * rate-limit windows and expired refresh tokens. Every replica may sweep; the deletes are idempotent.
 */
export class ExpiredRowSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => (this.running = undefined));
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async sweep(): Promise<void> {
    try {
      const tokens = await deleteExpiredRevokedTokens(this.pool, REVOKED_TOKEN_GRACE_SECONDS);
      const buckets = await deleteEndedBuckets(this.pool);
      const refreshTokens = await deleteExpiredRefreshTokens(this.pool);
      if (tokens + buckets + refreshTokens > 0)
        this.logger.debug({ tokens, buckets, refreshTokens }, 'expired bookkeeping rows deleted');
    } catch (err) {
      this.logger.warn({ err }, 'sweeping expired rows failed; next round retries');
    }
  }
}
