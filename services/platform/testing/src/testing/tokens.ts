import { createHmac, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import { ACCESS_TOKEN_TYPE, type Role } from '@moocflix/platform-http/auth';

/** The defaults services use for JWT_ISSUER / JWT_AUDIENCE. */
export const TEST_ISSUER = 'moocflix-users';
export const TEST_AUDIENCE = 'moocflix';

export interface TestTokenClaims {
  role: Role;
  /** `sub`; default a random UUID. */
  userId?: string;
  /** Default 900 (15 min, like the users service); negative gives an already-expired token. */
  expiresInSeconds?: number;
  issuer?: string;
  audience?: string;
  /** Default a random UUID. */
  jti?: string;
  /** `iat`, epoch seconds; default now. */
  issuedAt?: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Signs real access tokens for tests, with exactly the header and claims the users service
 * produces: header {alg: EdDSA, kid, typ: at+jwt}; claims {iss, aud, sub, role, jti, iat, exp}.
 * Hand `jwks` to the authenticator under test (publicKeys) or serve it as a JWKS endpoint.
 * The `forge*` and `signWith*` methods make the bad tokens an authenticator must refuse.
 */
export class TestTokenIssuer {
  readonly kid: string;
  readonly issuer: string;
  readonly audience: string;
  /** The public JWKS ({keys: [one Ed25519 key]}). */
  readonly jwks: JSONWebKeySet;
  private readonly privateKey: KeyObject;
  private readonly publicJwk: JWK;

  constructor(options: { kid?: string; issuer?: string; audience?: string } = {}) {
    this.kid = options.kid ?? `test-${randomUUID()}`;
    this.issuer = options.issuer ?? TEST_ISSUER;
    this.audience = options.audience ?? TEST_AUDIENCE;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    this.publicJwk = {
      ...(publicKey.export({ format: 'jwk' }) as JWK),
      kid: this.kid,
      alg: 'EdDSA',
      use: 'sig',
    };
    this.jwks = { keys: [this.publicJwk] };
  }

  /** Same as the constructor, for async set-up code (the service test harness). */
  static async create(
    options: { kid?: string; issuer?: string; audience?: string } = {},
  ): Promise<TestTokenIssuer> {
    return new TestTokenIssuer(options);
  }

  sign(claims: TestTokenClaims): Promise<string> {
    return this.signAs(claims, this.kid, this.privateKey);
  }

  /** Expired ten minutes ago: well beyond any clock tolerance. */
  signExpired(claims: TestTokenClaims): Promise<string> {
    const issuedAt = nowSeconds() - 1500;
    return this.sign({ ...claims, issuedAt, expiresInSeconds: 900 });
  }

  /** Properly signed, but the header names a kid no key set contains. */
  signWithUnknownKid(claims: TestTokenClaims, kid = `unknown-${randomUUID()}`): Promise<string> {
    return this.signAs(claims, kid, this.privateKey);
  }

  /** Signed by an attacker's own Ed25519 key while claiming this issuer's kid: the signature is forged. */
  signWithForeignKey(claims: TestTokenClaims): Promise<string> {
    return this.signAs(claims, this.kid, generateKeyPairSync('ed25519').privateKey);
  }

  /** Properly signed, but with no kid in the header. */
  signWithoutKid(claims: TestTokenClaims): Promise<string> {
    return new jose.SignJWT(this.claimsSet(claims))
      .setProtectedHeader({ alg: 'EdDSA', typ: ACCESS_TOKEN_TYPE })
      .sign(this.privateKey);
  }

  /** `alg: none` with an empty signature. */
  forgeAlgNone(claims: TestTokenClaims): string {
    return (
      unsignedParts({ alg: 'none', typ: ACCESS_TOKEN_TYPE, kid: this.kid }, this.claimsSet(claims)).join(
        '.',
      ) + '.'
    );
  }

  /**
   * Algorithm confusion: HS256 whose HMAC secret is the raw PUBLIC key published in the JWKS. A
   * verifier that lets the token pick the algorithm would accept it.
   */
  forgeHs256WithPublicKey(claims: TestTokenClaims): string {
    const signingInput = unsignedParts(
      { alg: 'HS256', typ: ACCESS_TOKEN_TYPE, kid: this.kid },
      this.claimsSet(claims),
    ).join('.');
    const secret = Buffer.from(this.publicJwk.x as string, 'base64url');
    return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
  }

  /** Properly signed, but with another `typ` header (a plain 'JWT', say) or none (null): not an access token. */
  signWithType(claims: TestTokenClaims, typ: string | null): Promise<string> {
    const header = typ === null ? { alg: 'EdDSA', kid: this.kid } : { alg: 'EdDSA', kid: this.kid, typ };
    return new jose.SignJWT(this.claimsSet(claims)).setProtectedHeader(header).sign(this.privateKey);
  }

  private signAs(claims: TestTokenClaims, kid: string, key: KeyObject): Promise<string> {
    return new jose.SignJWT(this.claimsSet(claims))
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: ACCESS_TOKEN_TYPE })
      .sign(key);
  }

  private claimsSet(claims: TestTokenClaims): Record<string, string | number> {
    const iat = claims.issuedAt ?? nowSeconds();
    return {
      iss: claims.issuer ?? this.issuer,
      aud: claims.audience ?? this.audience,
      sub: claims.userId ?? randomUUID(),
      role: claims.role,
      jti: claims.jti ?? randomUUID(),
      iat,
      exp: iat + (claims.expiresInSeconds ?? 900),
    };
  }
}

function unsignedParts(header: object, payload: object): [string, string] {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return [encode(header), encode(payload)];
}
