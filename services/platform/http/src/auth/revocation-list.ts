import type { RevocationSnapshot } from './revocation-snapshot';
import type { AuthContext, RevocationList } from './types';

export interface InMemoryRevocationListOptions {
  /**
   * How long an entry is kept after its `expiresAt`. Must exceed the authenticator's clock
   * tolerance: a token is still accepted a few seconds after `exp`, so forgetting its revocation
   * exactly at `expiresAt` would bring it back to life for those seconds.
   */
  graceSeconds?: number;
  /** Minimum time between two sweeps of forgotten entries. */
  pruneIntervalSeconds?: number;
  /** Epoch seconds; injectable for tests. */
  now?: () => number;
  /**
   * Start incomplete, i.e. refuse every token until applySnapshot was called (default false). A
   * process serving real traffic sets it (createPlatform): its list starts empty, and only the
   * snapshot says which tokens were revoked before it started. A list whose owner has seen every
   * revocation since they began (a test's) may start complete.
   */
  awaitSnapshot?: boolean;
}

interface UserCutOff {
  issuedAtOrBefore: number;
  expiresAt: number;
}

/**
 * The revocations one process knows about, fed by the Session-Revoked topic (see revocation-feed).
 *
 * Two kinds of entries:
 * - a token id (`jti`, logout): that one token is dead;
 * - a user cut-off (password change, deactivation): every token of the user whose `iat` is AT OR
 *   BEFORE the cut-off second is dead. `iat` has one-second resolution, so a token issued in the
 *   same second as the change is revoked too. The users service therefore takes the cut-off as the
 *   current epoch second at the change and must only sign that user's new tokens with
 *   `iat > issuedAtOrBefore` (i.e. from the next second on), or they would be born revoked.
 *
 * Memory stays bounded: an entry is only needed until the tokens it kills have expired on their
 * own (`expiresAt`, plus a grace period), and is swept after that. Entries are never evicted
 * early — dropping a live revocation would resurrect a token — so the size is the number of
 * revocations made within one access-token lifetime. Several cut-offs for one user merge into
 * one (latest cut-off, latest expiry), which kills a superset of what each of them killed.
 */
export class InMemoryRevocationList implements RevocationList {
  private readonly tokens = new Map<string, number>();
  private readonly users = new Map<string, UserCutOff>();
  private readonly graceSeconds: number;
  private readonly pruneIntervalSeconds: number;
  private readonly now: () => number;
  private lastPrune: number;
  private loaded: boolean;

  constructor(options: InMemoryRevocationListOptions = {}) {
    this.loaded = !options.awaitSnapshot;
    this.graceSeconds = options.graceSeconds ?? 60;
    this.pruneIntervalSeconds = options.pruneIntervalSeconds ?? 30;
    this.now = options.now ?? (() => Date.now() / 1000);
    this.lastPrune = this.now();
  }

  revokeToken(tokenId: string, expiresAt: number): void {
    this.pruneIfDue();
    // Replaying the topic from the start (a new instance) brings long-dead revocations: skip them.
    if (this.isForgettable(expiresAt)) return;
    this.tokens.set(tokenId, Math.max(expiresAt, this.tokens.get(tokenId) ?? expiresAt));
  }

  revokeUserTokens(userId: string, issuedAtOrBefore: number, expiresAt: number): void {
    this.pruneIfDue();
    if (this.isForgettable(expiresAt)) return;
    const current = this.users.get(userId);
    this.users.set(userId, {
      issuedAtOrBefore: Math.max(issuedAtOrBefore, current?.issuedAtOrBefore ?? issuedAtOrBefore),
      expiresAt: Math.max(expiresAt, current?.expiresAt ?? expiresAt),
    });
  }

  isRevoked(auth: AuthContext): boolean {
    this.pruneIfDue();
    if (this.tokens.has(auth.tokenId)) return true;
    const cutOff = this.users.get(auth.userId);
    return cutOff !== undefined && Math.floor(auth.issuedAt) <= cutOff.issuedAtOrBefore;
  }

  applySnapshot(snapshot: RevocationSnapshot): void {
    for (const { tokenId, expiresAt } of snapshot.tokens) this.revokeToken(tokenId, expiresAt);
    for (const { userId, issuedAtOrBefore, expiresAt } of snapshot.users)
      this.revokeUserTokens(userId, issuedAtOrBefore, expiresAt);
    this.loaded = true;
  }

  get complete(): boolean {
    return this.loaded;
  }

  /** Entries currently held (token ids + user cut-offs). */
  get size(): number {
    return this.tokens.size + this.users.size;
  }

  private isForgettable(expiresAt: number): boolean {
    return expiresAt + this.graceSeconds < this.now();
  }

  private pruneIfDue(): void {
    const now = this.now();
    if (now - this.lastPrune < this.pruneIntervalSeconds) return;
    this.lastPrune = now;
    for (const [tokenId, expiresAt] of this.tokens) {
      if (this.isForgettable(expiresAt)) this.tokens.delete(tokenId);
    }
    for (const [userId, cutOff] of this.users) {
      if (this.isForgettable(cutOff.expiresAt)) this.users.delete(userId);
    }
  }
}
