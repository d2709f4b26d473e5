import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { HttpProblem, problems } from '../errors';

/** A dependency /readyz checks (database, broker, storage). Throw or return false when not ready. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean | void>;
  /**
   * The process serves its requests without this dependency (default false): when it fails,
   * /readyz still answers 200, says `degraded` and names it. For what requests can wait for, like
   * the event bus behind an outbox: failing readiness on it would take every pod out of its Service
   * during a broker outage that no request needs the broker for.
   */
  degradesOnly?: boolean;
}

export interface ReadinessReport {
  /** 200 unless a check that is not `degradesOnly` failed, then 503. */
  status: 200 | 503;
  body: { status: 'ready' | 'degraded' | 'not-ready'; checks: Record<string, 'ok' | 'failing'> };
}

/**
 * Runs every check at once, each bounded by `timeoutMs` (a check that hangs is failing, so /readyz
 * answers before the kubelet's probe times out). The one readiness answer of every process: the
 * express app's /readyz and the probe server below both send this.
 */
export async function checkReadiness(checks: ReadinessCheck[], timeoutMs = 2000): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check, degradesOnly }) => ({
      name,
      degradesOnly: degradesOnly === true,
      ok: await runCheck(check, timeoutMs),
    })),
  );
  const notReady = results.some((r) => !r.ok && !r.degradesOnly);
  const degraded = results.some((r) => !r.ok);
  return {
    status: notReady ? 503 : 200,
    body: {
      status: notReady ? 'not-ready' : degraded ? 'degraded' : 'ready',
      checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : 'failing'])),
    },
  };
}

async function runCheck(check: ReadinessCheck['check'], timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return await Promise.race([check().then((r) => r !== false), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export interface ProbeServerOptions {
  registry: Registry;
  readiness: ReadinessCheck[];
  port: number;
  host?: string;
  logger: Logger;
  readinessTimeoutMs?: number;
}

export interface ProbeServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * /healthz, /readyz and /metrics on plain node:http, for a process that serves no API (the
 * operator): the same answers as the express app's, without carrying express. Anything else is a
 * problem+json 404 (405 with `Allow` for a probe path asked with another method than GET/HEAD).
 */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const { registry, readiness, logger } = options;
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err, url: req.url }, 'probe request failed');
      if (!res.headersSent) {
        sendProblem(res, new HttpProblem(500, 'internal', 'Internal server error', 'An unexpected error occurred'));
      }
      else res.destroy();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://probe').pathname;
    if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') {
      sendProblem(res, problems.notFound(`Route ${req.method} ${path}`), path);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendProblem(res, problems.methodNotAllowed(req.method ?? '', ['GET', 'HEAD']), path);
      return;
    }
    if (path === '/healthz') return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      const report = await checkReadiness(readiness, options.readinessTimeoutMs);
      return send(res, report.status, 'application/json; charset=utf-8', JSON.stringify(report.body));
    }
    return send(res, 200, registry.contentType, await registry.metrics());
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port }, 'probe server listening');
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendProblem(res: ServerResponse, problem: HttpProblem, instance?: string): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  send(res, problem.status, 'application/problem+json', JSON.stringify(problem.toBody(instance)));
}
