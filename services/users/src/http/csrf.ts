import type { Request, RequestHandler } from 'express';
import { problems } from '@moocflix/platform-core/errors';

export const CSRF_HEADER = 'X-MoocFlix-CSRF';

/**
 * CSRF defence for the routes a cookie authenticates. A cross-site page can make a browser POST a
 * form (cookie attached, were it not SameSite=Strict) but cannot add a custom header without a
 * CORS preflight, which this API never grants: so the header proves the request comes from a page
 * of our own origin (or from a non-browser client, which holds no victim's cookie). The Origin
 * check is the second line, for browsers or extensions that get SameSite or preflights wrong: when
 * a browser names the page's origin, it must be ours — PUBLIC_ORIGIN when set, else the origin
 * whose host is the request's Host (the web console is served on the API's origin).
 */
export function requireSameOriginRequest(publicOrigin: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (req.get(CSRF_HEADER) !== '1') {
      throw problems.forbidden(`This route needs the header ${CSRF_HEADER}: 1`);
    }
    const origin = req.get('origin');
    if (origin !== undefined && !isOwnOrigin(req, origin, publicOrigin)) {
      throw problems.forbidden('Cross-origin requests are not accepted here');
    }
    next();
  };
}

function isOwnOrigin(req: Request, origin: string, publicOrigin: string | undefined): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // 'null' (sandboxed frames, some redirects) and garbage are nobody's origin
  }
  if (parsed.origin !== origin.toLowerCase().replace(/\/$/, '')) return false;
  if (publicOrigin !== undefined) return parsed.origin === publicOrigin;
  const host = req.get('host');
  return host !== undefined && parsed.host === host.toLowerCase();
}
