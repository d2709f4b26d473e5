import { signRevocationSnapshot, type RevocationSnapshot } from '@moocflix/platform-http/auth';
import { listRevocationsInForce } from '../data/revoked-token-repository';
import type { SigningKey } from './access-token-issuer';
import { epochSeconds, type UseCaseContext } from './use-case-context';

/**
 * How long after its expiry a revocation is still listed: covers the verifiers' clock tolerance
 * (a token is accepted a few seconds past `exp`), as the kit's revocation list keeps it that long.
 */
const GRACE_SECONDS = 60;

/**
 * Every revocation still in force, from this service's database: what a verifier starting up
 * (or this service itself) loads, so that a token revoked before a restart stays revoked.
 */
export function revocationsInForce(
  deps: Pick<UseCaseContext, 'pool' | 'tokens' | 'now'>,
): Promise<RevocationSnapshot> {
  return listRevocationsInForce(deps.pool, {
    nowSeconds: epochSeconds(deps),
    tokenTtlSeconds: deps.tokens.ttlSeconds,
    graceSeconds: GRACE_SECONDS,
  });
}

export interface SnapshotSigner {
  signingKey: SigningKey;
  issuer: string;
  audience: string;
}

/** The same, signed with the token signing key, as the revocations endpoint serves it. */
export async function signedRevocationsInForce(
  deps: Pick<UseCaseContext, 'pool' | 'tokens' | 'now'>,
  signer: SnapshotSigner,
): Promise<string> {
  return signRevocationSnapshot(await revocationsInForce(deps), {
    kid: signer.signingKey.kid,
    privateKey: signer.signingKey.privateKey,
    issuer: signer.issuer,
    audience: signer.audience,
    nowSeconds: epochSeconds(deps),
  });
}
