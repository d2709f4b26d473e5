import express, { type Request, type Response, type Router } from 'express';
import type { Authenticator, AuthContext } from '@moocflix/platform-http/auth';
import { HttpProblem } from '@moocflix/platform-core/errors';
import { parseBody } from '@moocflix/platform-http';
import {
  endBrowserSession,
  refreshBrowserSession,
  startBrowserSession,
  type BrowserSession,
} from '../domain/browser-session';
import type { UseCaseContext } from '../domain/use-case-context';
import { requireSameOriginRequest } from './csrf';
import { emptyBody, logInBody } from './request-schemas';

export const REFRESH_COOKIE = 'moocflix_refresh';

/**
 * The browser session (web console): the refresh token travels only in an HttpOnly, Secure,
 * SameSite=Strict cookie scoped to these routes, so no script — ours or an injected one — can read
 * it, and no other route (nor any other site) ever receives it. Browsers accept Secure cookies on
 * http://localhost too (a secure context), so `make dev` works without TLS.
 */
export function createSessionRouter(
  deps: UseCaseContext,
  auth: Authenticator,
  options: { cookiePath: string; publicOrigin: string | undefined },
): Router {
  const router = express.Router();
  const sameOrigin = requireSameOriginRequest(options.publicOrigin);
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${REFRESH_COOKIE}=${value}; Path=${options.cookiePath}; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
  const clearCookie = (res: Response) => res.append('Set-Cookie', cookie('', 0));

  const answer = (res: Response, session: BrowserSession) => {
    res.append('Set-Cookie', cookie(session.refreshToken, deps.refreshTokenTtlSeconds));
    // RFC 6749 §5.1: responses carrying tokens are never cached.
    res.set('Cache-Control', 'no-store');
    res.json({
      accessToken: session.access.accessToken,
      tokenType: 'Bearer',
      expiresIn: session.access.expiresAt - Math.floor(deps.now() / 1000),
    });
  };

  router.post('/session', sameOrigin, async (req, res) => {
    const { email, password } = parseBody(logInBody, req);
    answer(res, await startBrowserSession(deps, { email, password, ip: req.ip ?? 'unknown' }));
  });

  router.post('/session/refresh', sameOrigin, async (req, res) => {
    parseBody(emptyBody, req);
    try {
      answer(res, await refreshBrowserSession(deps, refreshCookie(req)));
    } catch (err) {
      // A dead cookie is of no use to anyone: the browser drops it with the 401.
      if (err instanceof HttpProblem && err.status === 401) clearCookie(res);
      throw err;
    }
  });

  router.delete('/session', sameOrigin, async (req, res) => {
    parseBody(emptyBody, req);
    await endBrowserSession(deps, { refreshToken: refreshCookie(req), auth: await optionalAuth(auth, req) });
    clearCookie(res);
    res.set('Cache-Control', 'no-store');
    res.status(204).end();
  });

  return router;
}

/**
 * The access token of a sign-out, when it has a good one. A missing, malformed, expired or revoked
 * token is no reason to refuse the sign-out (the cookie's family still ends, and such a token needs
 * no revoking); a verifier not ready yet (503) is passed on, so the client retries and the token
 * does get revoked.
 */
async function optionalAuth(auth: Authenticator, req: Request): Promise<AuthContext | undefined> {
  const header = req.get('authorization');
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match?.[1]) return undefined;
  try {
    return await auth.verify(match[1]);
  } catch (err) {
    if (err instanceof HttpProblem && err.status === 401) return undefined;
    throw err;
  }
}

/** The refresh token from the Cookie header (no cookie parser: this is the one cookie the API reads). */
function refreshCookie(req: Request): string | undefined {
  const header = req.get('cookie');
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === REFRESH_COOKIE) {
      return part.slice(separator + 1).trim();
    }
  }
  return undefined;
}
