import express, { type Router } from 'express';
import type { UseCaseContext } from '../domain/use-case-context';
import { signedRevocationsInForce, type SnapshotSigner } from '../domain/revocations-in-force';

/**
 * GET /revocations: the revocations in force as a signed JWT (typ revocations+jwt), which every
 * other service loads at start before it accepts a token (the kit's startRevocationSnapshotLoader).
 * No bearer token: the callers are services, which hold none; the signature (checked with the
 * JWKS they already trust) is what makes the list trustworthy, and its content (ids of revoked
 * tokens, user ids with the second of their last password change or deactivation, for one token
 * lifetime) is what the Session-Revoked topic carries anyway.
 */
export function createRevocationsRouter(deps: UseCaseContext, signer: SnapshotSigner): Router {
  const router = express.Router();
  router.get('/revocations', async (_req, res) => {
    const jws = await signedRevocationsInForce(deps, signer);
    // A stale copy would miss the newest revocations.
    res.set('Cache-Control', 'no-store');
    res.type('application/jwt').send(jws);
  });
  return router;
}
