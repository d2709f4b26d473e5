// The web console's static file handler: plain Node (no framework, no build step), shared by the web
// image (server/serve.mjs) and `make dev`'s launcher, so both send the same files with the same headers.
import { createReadStream } from 'node:fs';
import { URL } from 'node:url';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** No inline script or style, nothing from another origin; blob: for hls.js (MSE) and its worker. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths that belong to the API (or the platform's probes) and are never answered with the console. */
export function isApiPath(pathname) {
  return (
    pathname === '/api' ||
    pathname.startsWith('/api/') ||
    pathname === '/healthz' ||
    pathname === '/readyz' ||
    pathname === '/metrics'
  );
}

/**
 * A handler `(req, res, next)` for the files of `distDir`: a file that exists is sent (hashed
 * /assets/* cached for a year, everything else revalidated); any other GET/HEAD outside the API is
 * the single-page app's index.html (the console routes in the browser). Other requests call `next`
 * (or get 404/405 without one).
 */
export function createStaticHandler(distDir) {
  const root = resolve(distDir);
  let index = null;
  const indexHtml = async () => (index ??= await readFile(join(root, 'index.html')));

  return async function serveStatic(req, res, next) {
    const url = new URL(req.url ?? '/', 'http://x');
    if (isApiPath(url.pathname) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      if (next) return next();
      res.writeHead(isApiPath(url.pathname) ? 404 : 405, { ...HEADERS, Allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      let pathname;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        pathname = '/';
      }
      const file = normalize(join(root, pathname));
      if ((file === root || file.startsWith(root + sep)) && !pathname.includes('\0')) {
        const info = await stat(file).catch(() => null);
        if (info?.isFile()) {
          const immutable = pathname.startsWith('/assets/');
          res.writeHead(200, {
            ...HEADERS,
            'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
            'Content-Length': info.size,
            'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
          });
          if (req.method === 'HEAD') return void res.end();
          createReadStream(file).pipe(res);
          return;
        }
      }
      if (pathname.startsWith('/assets/')) {
        // A missing hashed asset is a 404, not the app: a stale tab must not run HTML as script.
        res.writeHead(404, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      const html = await indexHtml();
      res.writeHead(200, { ...HEADERS, 'Content-Type': TYPES['.html'], 'Content-Length': html.length, 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : html);
    } catch (err) {
      if (next) return next(err);
      res.writeHead(500, HEADERS).end();
    }
  };
}
