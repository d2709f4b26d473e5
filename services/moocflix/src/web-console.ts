import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { Express } from 'express';
import type { Logger } from '@moocflix/platform-core/log';
import { createStaticHandler, isApiPath } from '@moocflix/web/static';

/** Where `npm run build -w web` (run by `make dev` when a source is newer) writes the console. */
export const DEFAULT_WEB_DIST = resolve(__dirname, '../../../web/dist');

/**
 * The API and the web console on one origin: /api/*, /healthz, /readyz and /metrics go to the
 * platform's app as before; every other GET/HEAD is a file of web/dist, or its index.html (the
 * console routes in the browser). The console's answers carry its own CSP (no inline script).
 * Without a built console the API alone is served, and `/` says how to build it.
 */
export function withWebConsole(app: Express, distDir: string, logger: Logger): Express {
  const built = existsSync(resolve(distDir, 'index.html'));
  if (!built) logger.warn({ distDir }, 'web console not built (npm run build -w web): serving the API only');
  const serve = built ? createStaticHandler(distDir) : null;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (isApiPath(path)) return void app(req, res);
    if (!serve) {
      if (path === '/' && req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The web console is not built: run `npm run build -w web` (make dev does).\n');
        return;
      }
      return void app(req, res);
    }
    serve(req, res, (err) => {
      if (err) logger.error({ err }, 'web console file could not be sent');
      app(req, res);
    }).catch((err: unknown) => {
      logger.error({ err }, 'web console file could not be sent');
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  // The HTTP server only calls the app as a request listener; the rest of Express is not needed here.
  return handler as unknown as Express;
}
