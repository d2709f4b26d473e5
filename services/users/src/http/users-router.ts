import express, { type Request, type Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseBody } from '@moocflix/platform-http';
import type { IssuedToken } from '../domain/access-token-issuer';
import type { PublicJwk } from '../data/signing-key-store';
import { deactivateAccount } from '../domain/deactivate-account';
import type { UseCaseContext } from '../domain/use-case-context';
import { getProfile } from '../domain/get-profile';
import { logIn } from '../domain/log-in';
import { logOut } from '../domain/log-out';
import { signUp } from '../domain/sign-up';
import { updateProfile } from '../domain/update-profile';
import { toUserView } from '../domain/user';
import { emptyBody, logInBody, profileUpdateBody, signUpBody } from './request-schemas';

/**
 * The HTTP face of the use cases: parse, call, map. Authenticated routes go through the kit's
 * authenticator (signature, iss/aud/alg pinned, expiry, this process's revocations); the use cases
 * then check the session against the database (requireActiveSession) and only ever act on the
 * token's own subject.
 */
export function createUsersRouter(
  deps: UseCaseContext,
  auth: Authenticator,
  jwks: { keys: PublicJwk[] },
): Router {
  const router = express.Router();

  router.post('/signup', async (req, res) => {
    const user = await signUp(deps, parseBody(signUpBody, req));
    res.status(201).json(toUserView(user));
  });

  router.post('/login', async (req, res) => {
    const { email, password } = parseBody(logInBody, req);
    const token = await logIn(deps, { email, password, ip: clientIp(req) });
    // RFC 6749 §5.1: responses carrying tokens are never cached.
    res.set('Cache-Control', 'no-store');
    res.json(tokenView(token));
  });

  router.get('/.well-known/jwks.json', (_req, res) => {
    // Short enough that a rotation's new key is seen soon; verifiers refetch on an unknown kid anyway.
    res.set('Cache-Control', 'public, max-age=300');
    res.json(jwks);
  });

  router.post('/logout', auth.requireAuth, async (req, res) => {
    parseBody(emptyBody, req);
    await logOut(deps, getAuth(req));
    res.status(204).end();
  });

  router.get('/profile', auth.requireAuth, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(toUserView(await getProfile(deps, getAuth(req))));
  });

  router.put('/profile/update', auth.requireAuth, async (req, res) => {
    const { user, session } = await updateProfile(deps, getAuth(req), parseBody(profileUpdateBody, req), {
      ip: clientIp(req),
    });
    if (!session) return void res.json(toUserView(user));
    // The password changed: every other token of the user is dead; the caller continues with this one.
    res.set('Cache-Control', 'no-store');
    res.json({ ...toUserView(user), session: tokenView(session) });
  });

  router.delete('/deactivate', auth.requireAuth, async (req, res) => {
    parseBody(emptyBody, req);
    await deactivateAccount(deps, getAuth(req));
    res.status(204).end();
  });

  function tokenView(token: IssuedToken) {
    return {
      accessToken: token.accessToken,
      tokenType: 'Bearer',
      expiresIn: token.expiresAt - Math.floor(deps.now() / 1000),
    };
  }

  return router;
}

/** The client as the kit's app sees it: X-Forwarded-For counts only from TRUSTED_PROXIES, else the TCP peer. */
function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
