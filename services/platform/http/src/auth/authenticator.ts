import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { HttpProblem, problems } from '@moocflix/platform-core/errors';
import * as jose from 'jose';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import {
  parseRevocationSnapshotClaims,
  REVOCATION_SNAPSHOT_MAX_AGE_SECONDS,
  REVOCATION_SNAPSHOT_TYPE,
  type RevocationSnapshot,
} from './revocation-snapshot';
import {
  ACCESS_TOKEN_TYPE,
  ROLES,
  type AuthContext,
  type Authenticator,
  type RevocationList,
  type Role,
} from './types';
import { VerifiedTokenCache } from './verified-token-cache';

/**
 * Asymmetric algorithms only. Symmetric ones (HS*) are refused even if configured: with them, the
 * PUBLIC key published in the JWKS would become a signing secret (the classic alg-confusion attack).
 */
const ASYMMETRIC_ALGORITHMS = new Set([
  'EdDSA',
  'Ed25519',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
]);

/** JWK members that only private or symmetric keys have; none may appear in a verification key set. */
const SECRET_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

export interface AuthenticatorOptions {
  /** Expected `iss`, e.g. 'moocflix-users'. */
  issuer: string;
  /** Expected `aud`, e.g. 'moocflix'. */
  audience: string;
  /** Accepted `alg` values; default ['EdDSA']. */
  algorithms?: string[];
  /** Where the users service publishes its public keys. Exactly one of jwksUrl / publicKeys. */
  jwksUrl?: string | URL;
  /** A JWKS document given by configuration instead of fetched. */
  publicKeys?: JSONWebKeySet;
  /**
   * Minimum time between two JWKS fetches caused by tokens with an unknown `kid` (default 30 s),
   * so a flood of forged kids cannot turn into a flood of fetches. Consequence for key rotation:
   * publish a new key at least this long before signing with it.
   */
  jwksCooldownMs?: number;
  /** The fetched JWKS is refreshed after this long even without unknown kids (default 10 min). */
  jwksCacheMaxAgeMs?: number;
  /** Timeout of one JWKS fetch (default 5 s). */
  jwksTimeoutMs?: number;
  /** Allowed clock skew for `exp`/`nbf` (default 5 s). */
  clockToleranceSeconds?: number;
  /** How many verified tokens to remember (default 10,000; 0 turns the cache off). */
  verifiedTokenCacheSize?: number;
  revocations: RevocationList;
  logger: Logger;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(ROLES),
  jti: z.string().min(1).max(200),
  iat: z.number(),
  exp: z.number(),
});

/** A key set that could not be obtained: the token may be fine, so this is our 503, not the caller's 401. */
class KeySetUnavailableError extends Error {}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { issuer, audience, revocations, logger } = options;
  const algorithms = options.algorithms ?? ['EdDSA'];
  if (algorithms.length === 0) throw new Error('auth: at least one algorithm is required');
  for (const alg of algorithms) {
    if (!ASYMMETRIC_ALGORITHMS.has(alg))
      throw new Error(`auth: algorithm ${alg} is not an allowed asymmetric JWS algorithm`);
  }
  const getKey = keyResolver(keySetFrom(options));
  const clockTolerance = options.clockToleranceSeconds ?? 5;
  const verifyOptions = {
    issuer,
    audience,
    algorithms,
    typ: ACCESS_TOKEN_TYPE,
    clockTolerance,
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
  };

  const verified = new VerifiedTokenCache(options.verifiedTokenCacheSize ?? 10_000);

  async function verify(token: string): Promise<AuthContext> {
    // Until the revocations made before this process started are loaded, no token can be told
    // good: the platform's 503 (retry shortly), never a 200 for a token revoked before a restart.
    if (!revocations.complete) throw problems.unavailable('token verification is starting; retry shortly');
    const auth = verified.get(token) ?? (await verified.settle(token, verifySignatureAndClaims));
    // Checked on every use, cached or not: a logout takes effect on the token's next request.
    if (revocations.isRevoked(auth)) throw problems.unauthorized('token revoked');
    return auth;
  }

  async function verifySignatureAndClaims(token: string): Promise<AuthContext> {
    let payload: unknown;
    try {
      ({ payload } = await jose.jwtVerify(token, getKey, verifyOptions));
    } catch (err) {
      throw toProblem(err, logger);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      logger.debug(
        { issues: claims.error.issues.map((i) => i.path.join('.')) },
        'auth: token claims rejected',
      );
      throw problems.unauthorized('invalid token');
    }
    // jose checks a future iat only together with maxTokenAge. A token dated later than now would
    // outlive a user-wide revocation cut-off (tokens with iat <= cut-off die): only a leaked signing
    // key can mint one, but it must not be how such a key keeps working after a password change.
    if (claims.data.iat > Date.now() / 1000 + clockTolerance) {
      logger.debug('auth: token issued in the future rejected');
      throw problems.unauthorized('invalid token');
    }
    return {
      userId: claims.data.sub,
      role: claims.data.role,
      tokenId: claims.data.jti,
      issuedAt: claims.data.iat,
      expiresAt: claims.data.exp,
    };
  }

  const requireAuth: RequestHandler = async (req, _res, next) => {
    req.auth = await verify(bearerToken(req));
    next();
  };

  function requireRole(...roles: Role[]): RequestHandler {
    if (roles.length === 0) throw new Error('requireRole needs at least one role');
    return (req, _res, next) => {
      if (!roles.includes(getAuth(req).role))
        throw problems.forbidden(`This requires the role ${roles.join(' or ')}`);
      next();
    };
  }

  async function verifyRevocationSnapshot(jws: string): Promise<RevocationSnapshot> {
    const { payload } = await jose.jwtVerify(jws, getKey, {
      issuer,
      audience,
      algorithms,
      typ: REVOCATION_SNAPSHOT_TYPE,
      clockTolerance,
      maxTokenAge: REVOCATION_SNAPSHOT_MAX_AGE_SECONDS + clockTolerance,
      requiredClaims: ['iat', 'exp'],
    });
    return parseRevocationSnapshotClaims(payload);
  }

  return { requireAuth, requireRole, verify, verifyRevocationSnapshot, revocations };
}

/** The verified caller of a request behind requireAuth; 401 when there is none. */
export function getAuth(req: Request): AuthContext {
  if (!req.auth) throw problems.unauthorized();
  return req.auth;
}

// RFC 6750 §2.1: the scheme is case-insensitive, the credentials are a token68.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function bearerToken(req: Request): string {
  const header = req.get('authorization');
  if (header === undefined) throw problems.unauthorized('bearer token required');
  const match = BEARER.exec(header);
  if (!match?.[1]) throw problems.unauthorized('malformed Authorization header; expected "Bearer <token>"');
  return match[1];
}

function keySetFrom(options: AuthenticatorOptions): JWTVerifyGetKey {
  if ((options.jwksUrl === undefined) === (options.publicKeys === undefined)) {
    throw new Error('auth: configure exactly one of jwksUrl and publicKeys');
  }
  if (options.publicKeys !== undefined) {
    assertPublicKeySet(options.publicKeys);
    return jose.createLocalJWKSet(options.publicKeys);
  }
  return jose.createRemoteJWKSet(new URL(options.jwksUrl as string | URL), {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
  });
}

function assertPublicKeySet(jwks: JSONWebKeySet): void {
  if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0)
    throw new Error('auth: publicKeys must be a JWKS {keys: [...]}');
  for (const key of jwks.keys) {
    if (typeof key.kid !== 'string' || !key.kid) throw new Error('auth: every public key needs a kid');
    const secret = SECRET_JWK_MEMBERS.find((member) => member in key);
    if (secret)
      throw new Error(
        `auth: key ${key.kid} holds private or symmetric material ("${secret}"); configure public keys only`,
      );
  }
}

/**
 * Tokens must name their key: without a `kid` jose would try the only key of a one-key set, which
 * would quietly stop working the day a second key is published during rotation. Key-set failures
 * other than "no such key" (JWKS endpoint down, garbage answer) are the platform's problem.
 */
function keyResolver(keySet: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    if (typeof header.kid !== 'string' || header.kid === '')
      throw new jose.errors.JWKSNoMatchingKey('token has no kid');
    try {
      return await keySet(header, token);
    } catch (err) {
      if (err instanceof jose.errors.JWKSNoMatchingKey || err instanceof jose.errors.JWKSMultipleMatchingKeys)
        throw err;
      throw new KeySetUnavailableError('auth: verification keys unavailable', { cause: err });
    }
  };
}

function toProblem(err: unknown, logger: Logger): HttpProblem {
  if (err instanceof KeySetUnavailableError) {
    logger.error({ err: err.cause }, 'auth: cannot load the token verification keys');
    return problems.unavailable('token verification is temporarily unavailable');
  }
  if (err instanceof jose.errors.JWTExpired) return problems.unauthorized('token expired');
  if (err instanceof jose.errors.JOSEError) {
    // The reason stays in our logs (debug: invalid tokens are routine); clients learn nothing about which check failed.
    logger.debug({ code: err.code, reason: err.message }, 'auth: token rejected');
    return problems.unauthorized('invalid token');
  }
  logger.error({ err }, 'auth: unexpected error while verifying a token');
  return problems.unauthorized('invalid token');
}
