import { problems } from '@moocflix/platform/errors';
import type { Pool } from '@moocflix/platform/db';
import { hitBucket, resetBucket } from '../data/rate-limit-repository';

export interface LoginLimits {
  /** Failed attempts in a row allowed per account (email) within accountWindowSeconds. */
  maxFailuresPerAccount: number;
  accountWindowSeconds: number;
  /** Attempts (failed or not) allowed per client IP within ipWindowSeconds. */
  maxAttemptsPerIp: number;
  ipWindowSeconds: number;
}

/**
 * Login throttling (OWASP ASVS V2.2.1) against online guessing: per account, so a distributed
 * attack on one account stalls, and per IP, so one client cannot spray many accounts. The counters
 * live in PostgreSQL, so every replica enforces the same limits.
 *
 * An attempt on an account is counted BEFORE the password is checked and forgiven (the counter
 * reset) when it succeeds: checking first and counting after would let N concurrent guesses all
 * pass a counter that reads limit-1. Unknown emails are counted like known ones, so the 429 does not
 * tell which emails have accounts.
 */
export class LoginThrottle {
  constructor(
    private readonly pool: Pool,
    private readonly limits: LoginLimits,
  ) {}

  /** Counts one attempt on `email` from `ip`; 429 problem+json with Retry-After past either limit. */
  async admit(attempt: { email: string; ip: string }): Promise<void> {
    const perIp = await hitBucket(this.pool, ipBucket(attempt.ip), this.limits.ipWindowSeconds);
    if (perIp.hits > this.limits.maxAttemptsPerIp) throw problems.tooManyRequests(perIp.secondsLeft);
    const perAccount = await hitBucket(
      this.pool,
      accountBucket(attempt.email),
      this.limits.accountWindowSeconds,
    );
    if (perAccount.hits > this.limits.maxFailuresPerAccount)
      throw problems.tooManyRequests(perAccount.secondsLeft);
  }

  /** The attempt on `email` was right: it and the failures before it no longer count. */
  async succeeded(email: string): Promise<void> {
    await resetBucket(this.pool, accountBucket(email));
  }
}

const ipBucket = (ip: string) => `login:ip:${ip}`;
const accountBucket = (email: string) => `login:account:${email}`;
