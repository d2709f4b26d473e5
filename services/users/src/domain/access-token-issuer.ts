import { randomUUID, type KeyObject } from 'node:crypto';
import { ACCESS_TOKEN_TYPE, type Role } from '@moocflix/platform-http/auth';

import * as jose from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface IssuedToken {
  accessToken: string;
  /** `jti`: what logout revokes. */
  tokenId: string;
  /** `iat` / `exp`, epoch seconds. */
  issuedAt: number;
  expiresAt: number;
}

export interface AccessTokenIssuerOptions {
  signingKey: SigningKey;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

/**
 * Signs the platform's access tokens: EdDSA with the `kid` of the signing key,
 * `typ: at+jwt`, claims iss, aud, sub (user id), role, jti, iat, exp. Every service verifies them with
 * the kit's authenticator against the JWKS this service publishes.
 */
export class AccessTokenIssuer {
  private readonly now: () => number;

  constructor(private readonly options: AccessTokenIssuerOptions) {
    this.now = options.now ?? Date.now;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  /**
   * `revokedThrough` is the user's revocation cut-off (tokens with iat <= it are dead). `iat` has
   * one-second resolution, so a token signed in the very second of a password change would be born
   * revoked: such a token is dated the next second instead (verifiers allow an iat up to their clock tolerance ahead).
   */
  async issue(subject: { userId: string; role: Role; revokedThrough: number | null }): Promise<IssuedToken> {
    const now = Math.floor(this.now() / 1000);
    const issuedAt = subject.revokedThrough === null ? now : Math.max(now, subject.revokedThrough + 1);
    const expiresAt = issuedAt + this.options.ttlSeconds;
    const tokenId = randomUUID();
    const accessToken = await new jose.SignJWT({ role: subject.role })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.options.signingKey.kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(subject.userId)
      .setJti(tokenId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.options.signingKey.privateKey);
    return { accessToken, tokenId, issuedAt, expiresAt };
  }
}
