import type { AuthContext } from './types';

/**
 * Remembers tokens whose signature and claims already verified, until they expire: a client sends
 * the same token on every request, and the signature check is the most expensive step of a typical
 * request. Revocation is still checked on every use (the caller does that), so a logged-out token
 * dies just as fast. The trade-off: a key withdrawn from the JWKS keeps its already-seen tokens
 * valid until their `exp` (at most one access-token lifetime). Bounded; the oldest entry goes first.
 *
 * A token's first requests often arrive together (a page's parallel calls after a login or a
 * refresh): they share one verification in flight instead of each checking the signature.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, AuthContext>();
  private readonly inFlight = new Map<string, Promise<AuthContext>>();
  constructor(private readonly maxEntries: number) {}

  get(token: string): AuthContext | undefined {
    const auth = this.entries.get(token);
    if (auth && auth.expiresAt <= Date.now() / 1000) {
      this.entries.delete(token);
      return undefined;
    }
    return auth;
  }

  /**
   * The outcome of verifying `token`: the verification already in flight for it, or a new one whose
   * success is remembered. A failure is not remembered; every caller waiting on it gets it.
   */
  settle(token: string, verifyToken: (token: string) => Promise<AuthContext>): Promise<AuthContext> {
    const pending = this.inFlight.get(token);
    if (pending) return pending;
    const verification = verifyToken(token)
      .then((auth) => {
        this.remember(token, auth);
        return auth;
      })
      .finally(() => this.inFlight.delete(token));
    this.inFlight.set(token, verification);
    return verification;
  }

  private remember(token: string, auth: AuthContext): void {
    if (this.maxEntries === 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, auth);
  }
}
