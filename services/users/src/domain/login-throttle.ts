import { isIP } from 'node:net';
import { withTransaction, type Pool } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import {
  deleteCounter,
  lockCounters,
  refundAttempts,
  saveCounters,
  type CounterState,
} from '../data/rate-limit-repository';

/** The numbers of docs/throttle-policy.md (each one a setting, see config.ts). */
export interface LoginLimits {
  /** Failures of one account from one address that cost nothing. */
  freeFailuresPerAccountAddress: number;
  /** Failures from one address, whatever the accounts, that cost nothing. */
  freeFailuresPerAddress: number;
  /** The delay after the first failure past the free ones; each further failure doubles it ... */
  backoffBaseSeconds: number;
  /** ... up to this. */
  backoffMaxSeconds: number;
  /** A counter is forgotten this long after its last failure (or after its delay ended). */
  forgetAfterSeconds: number;
  /** Failures on one account from all addresses together, per window: a distributed attack's ceiling. */
  accountCeiling: number;
  accountCeilingWindowSeconds: number;
}

/** How one counter turns failures into waiting. */
export type CounterPolicy =
  | { kind: 'backoff'; free: number; baseSeconds: number; maxSeconds: number; windowSeconds: number }
  | { kind: 'ceiling'; free: number; windowSeconds: number };

export type Verdict = { admitted: true; next: CounterState } | { admitted: false; retryAfterSeconds: number };

/**
 * One attempt against one counter at `now` (epoch ms). A running delay refuses it (and does not
 * count it, so waiting is enough to get in again). Otherwise it counts; past the free failures a
 * backoff counter makes the NEXT attempt wait base·2^k seconds (capped), and keeps remembering for a
 * window after that delay, so a client that comes back as soon as it may climbs to the cap; a
 * ceiling counter refuses everything until its window ends.
 */
export function countAttempt(state: CounterState, policy: CounterPolicy, now: number): Verdict {
  if (state.blockedUntil !== null && state.blockedUntil > now) {
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((state.blockedUntil - now) / 1000)) };
  }
  const live = state.windowEnd > now;
  const failures = (live ? state.failures : 0) + 1;
  let windowEnd = live ? state.windowEnd : now + policy.windowSeconds * 1000;
  let blockedUntil: number | null = null;
  const excess = failures - policy.free;
  if (excess > 0 && policy.kind === 'ceiling') {
    blockedUntil = windowEnd;
  } else if (excess > 0 && policy.kind === 'backoff') {
    const delaySeconds = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(excess - 1, 40));
    blockedUntil = now + delaySeconds * 1000;
    windowEnd = Math.max(windowEnd, blockedUntil + policy.windowSeconds * 1000);
  }
  return { admitted: true, next: { failures, windowEnd, blockedUntil } };
}

export interface LoginAttempt {
  /** Normalised email, whether or not an account has it (unknown emails are throttled alike). */
  email: string;
  /** The client address the app settled on (X-Forwarded-For only from trusted proxies). */
  ip: string;
}

/**
 * Login throttling after the OWASP Authentication Cheat Sheet: the cost of guessing falls on the
 * guesser, not on the account's owner. Three counters, all in PostgreSQL so every replica sees them:
 *
 * - per (account, address): a few free failures, then delays that double, so one source guessing one
 *   password slows down to a few guesses an hour, while the owner, from another address, is not
 *   affected at all. Cleared when a login from that address succeeds (and its failures are then
 *   taken back from the two counters below).
 * - per address: the same with more free failures, so one source spraying many accounts slows down
 *   too (a shared NAT's occasional typos stay well under it).
 * - per account, from every address: a ceiling high enough that only a distributed attack reaches it.
 *
 * An attempt is counted BEFORE the password is checked and taken back when it succeeds: checking
 * first and counting after would let many concurrent guesses all pass a counter that reads limit-1.
 * A refused attempt is not counted, so Retry-After is exact.
 */
export class LoginThrottle {
  private readonly pairPolicy: CounterPolicy;
  private readonly addressPolicy: CounterPolicy;
  private readonly accountPolicy: CounterPolicy;

  constructor(
    private readonly pool: Pool,
    limits: LoginLimits,
  ) {
    const backoff = {
      kind: 'backoff',
      baseSeconds: limits.backoffBaseSeconds,
      maxSeconds: limits.backoffMaxSeconds,
      windowSeconds: limits.forgetAfterSeconds,
    } as const;
    this.pairPolicy = { ...backoff, free: limits.freeFailuresPerAccountAddress };
    this.addressPolicy = { ...backoff, free: limits.freeFailuresPerAddress };
    this.accountPolicy = {
      kind: 'ceiling',
      free: limits.accountCeiling,
      windowSeconds: limits.accountCeilingWindowSeconds,
    };
  }

  /**
   * Counts one attempt in all three counters, or none of them when any refuses it: 429 problem+json
   * with Retry-After, the longest of the running delays.
   */
  async admit(attempt: LoginAttempt): Promise<void> {
    const counters = this.counters(attempt);
    await withTransaction(this.pool, async (tx) => {
      const { now, states } = await lockCounters(
        tx,
        counters.map((c) => c.bucket),
      );
      const verdicts = counters.map((c) => ({
        bucket: c.bucket,
        verdict: countAttempt(states.get(c.bucket)!, c.policy, now),
      }));
      const refused = verdicts.flatMap(({ verdict }) =>
        verdict.admitted ? [] : [verdict.retryAfterSeconds],
      );
      if (refused.length) throw problems.tooManyRequests(Math.max(...refused));
      await saveCounters(
        tx,
        new Map(
          verdicts.map(({ bucket, verdict }) => [
            bucket,
            (verdict as Extract<Verdict, { admitted: true }>).next,
          ]),
        ),
      );
    });
  }

  /**
   * The attempt was right: the (account, address) counter is cleared, and what it held (this
   * attempt and the typos before it, now known to be the owner's) no longer counts against the
   * address and the account. Failures on other accounts stay, so a client cannot wash them away
   * with logins to an account of its own.
   */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    const [pair, ...others] = this.counters(attempt);
    const held = await deleteCounter(this.pool, pair!.bucket);
    await refundAttempts(
      this.pool,
      others.map((c) => c.bucket),
      Math.max(1, held),
    );
  }

  private counters(attempt: LoginAttempt): { bucket: string; policy: CounterPolicy }[] {
    const address = addressKey(attempt.ip);
    return [
      { bucket: `login:account-address:${address} ${attempt.email}`, policy: this.pairPolicy },
      { bucket: `login:address:${address}`, policy: this.addressPolicy },
      { bucket: `login:account:${attempt.email}`, policy: this.accountPolicy },
    ];
  }
}

/**
 * The unit an address is counted in: an IPv4 address (also when it arrives IPv4-mapped), or the /64
 * of an IPv6 address — one host usually has a whole /64, so counting single IPv6 addresses would
 * give an attacker 2^64 fresh starts.
 */
export function addressKey(ip: string): string {
  const address = ip.split('%')[0]!;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (a.b.c.d) takes two groups, and sits in the last 64 bits anyway.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const zeros = tail === undefined ? [] : Array<string>(8 - width(headGroups) - width(tailGroups)).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups];
  const prefix = groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}
