import type { RequestHandler } from 'express';
import type { RevocationSnapshot } from './revocation-snapshot';

export const ROLES = ['student', 'instructor', 'admin'] as const;

/**
 * The `typ` header of MoocFlix access tokens (RFC 9068): verifiers require it, so no other JWT our
 * issuer might ever sign (an ID token, a link token) can be replayed as an access token (RFC 8725 §3.11).
 */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export type Role = (typeof ROLES)[number];

/** Who is calling, from a verified access token. */
export interface AuthContext {
  userId: string;
  role: Role;
  /** `jti`: what logout revokes. */
  tokenId: string;
  /** `iat` / `exp`, epoch seconds. */
  issuedAt: number;
  expiresAt: number;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: AuthContext;
    }
  }
}

/**
 * Tokens revoked before their expiry (logout, password change, deactivation): loaded at start from
 * the users service (applySnapshot), then kept current by Session-Revoked events.
 */
export interface RevocationList {
  revokeToken(tokenId: string, expiresAt: number): void;
  /**
   * Every token of `userId` with iat <= issuedAtOrBefore dies (until expiresAt, when they would have
   * expired anyway). `iat` has one-second resolution, so a token issued in the cut-off second dies
   * too: the issuer takes the cut-off as the epoch second of the change and signs the user's new
   * tokens with iat > issuedAtOrBefore only.
   */
  revokeUserTokens(userId: string, issuedAtOrBefore: number, expiresAt: number): void;
  isRevoked(auth: AuthContext): boolean;
  /**
   * Merges the revocations in force according to their source of truth (the users service's
   * database) and marks the list complete. Merging, never replacing: an event applied before the
   * snapshot arrived stays applied.
   */
  applySnapshot(snapshot: RevocationSnapshot): void;
  /**
   * False until the revocations made before this process started are known (a snapshot was
   * applied). The authenticator refuses every token while false: after a restart, a token revoked
   * earlier must not work again.
   */
  readonly complete: boolean;
}

export interface Authenticator {
  /** 401 problem+json unless a valid, unrevoked bearer token is presented; sets `req.auth`. */
  requireAuth: RequestHandler;
  /** 403 unless `req.auth.role` is one of `roles` (use after requireAuth). */
  requireRole(...roles: Role[]): RequestHandler;
  /** Throws HttpProblem 401 for any invalid token. */
  verify(token: string): Promise<AuthContext>;
  /** Verifies a signed revocation snapshot (typ revocations+jwt) with the access tokens' keys; throws otherwise. */
  verifyRevocationSnapshot(jws: string): Promise<RevocationSnapshot>;
  revocations: RevocationList;
}
