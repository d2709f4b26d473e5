import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { problems } from '@moocflix/platform-core/errors';
import { checkReadiness, type ReadinessCheck } from '@moocflix/platform-core/probes';
import { notFoundHandler, problemHandler, sendProblem } from './problem-handler';
import { DEFAULT_HTTP_LIMITS, guardRequests, type HttpLimits } from './request-limits';
import { SECURITY_HEADERS } from './security-headers';
import { trustProxySetting, type TrustedProxies } from './trusted-proxies';
import { methodNotAllowedHandler } from './method-not-allowed';
import { httpRequestObserver, type HttpRequestObserver } from './request-metrics';
import { requireWellFormedInput } from './well-formed-input';
import type { RevocationSnapshot } from '../auth/revocation-snapshot';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Correlates log lines of one request; taken from X-Request-Id when sane, else generated. */
      id: string;
      log: Logger;
    }
  }
}

// The readiness check and its answer are core's: the operator serves the same /readyz without express.
export type { ReadinessCheck } from '@moocflix/platform-core/probes';

/**
 * What each service exposes so it can run alone (its own main.ts) or mounted beside the others in
 * the one-process launcher: a router under its base path, its OpenAPI document, readiness checks,
 * and background work (outbox relay, consumers) to start and stop.
 */
export interface ServiceModule {
  name: string;
  basePath: string;
  router: Router;
  openapi: object;
  readiness: ReadinessCheck[];
  /**
   * Set by the service that is the revocations' source of truth (users): the revocations in force,
   * read from its own database, for the process to re-read while the event bus does not answer.
   */
  revocationsInForce?: () => Promise<RevocationSnapshot>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface HttpAppOptions {
  logger: Logger;
  registry: Registry;
  services: ServiceModule[];
  /** Process-wide checks (event bus, object storage) besides each service's own. */
  readiness?: ReadinessCheck[];
  /** JSON body limit; uploads are multipart and stream, so this stays small. */
  jsonLimit?: string;
  /** Header count and body timeouts (HTTP_* settings); give the same to startHttpServer. */
  limits?: HttpLimits;
  readinessTimeoutMs?: number;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses/CIDRs, TRUSTED_PROXIES); default none:
   * req.ip is then the TCP peer, whatever the client claims.
   */
  trustedProxies?: TrustedProxies;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function createHttpApp(options: HttpAppOptions): Express {
  const { logger, registry, services } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', trustProxySetting(options.trustedProxies));
  app.set('query parser', 'simple');

  // The intake every request passes, as ONE layer: Express matches and calls its layers one by one
  // for each request, which a small GET feels (`make bench BENCH=kit-overhead`).
  app.use(
    inSequence(
      requestContext(app, logger, httpRequestObserver(registry)),
      guardRequests(options.limits ?? DEFAULT_HTTP_LIMITS, options.jsonLimit ?? '100kb'),
      requireJsonBodies,
      express.json({
        limit: options.jsonLimit ?? '100kb',
        strict: true,
        type: ['application/json', 'application/*+json'],
      }),
      requireWellFormedInput,
    ),
  );

  for (const service of services) {
    app.get(`${service.basePath}/openapi.json`, (_req, res) => {
      res.json(service.openapi);
    });
    app.use(service.basePath, mounted(service));
  }

  // The probes and the scrape come after the API: the API's requests are the many, and a route
  // Express reaches later costs each request before it a match (no API path starts with these).
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/readyz',
    readinessHandler(
      [...serviceReadiness(services), ...(options.readiness ?? [])],
      options.readinessTimeoutMs ?? 2000,
    ),
  );
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  app.use(
    methodNotAllowedHandler(services, [
      '/healthz',
      '/readyz',
      '/metrics',
      ...services.map((s) => `${s.basePath}/openapi.json`),
    ]),
  );
  app.use(notFoundHandler);
  app.use(problemHandler(logger));
  return app;
}

/**
 * The first middleware of every request: its id, the security headers, and one 'finish' listener
 * that records the metrics and writes the access log line. One middleware and one listener instead
 * of one each is measurable at the request rates of the catalogue (see `make bench kit-overhead`).
 */
function requestContext(app: Express, logger: Logger, observe: HttpRequestObserver): RequestHandler {
  // `req.log` is created on first use: a pino child per request costs measurable throughput, and
  // most requests only log the one line below.
  const children = new WeakMap<object, Logger>();
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Express['request']) {
      let child = children.get(this);
      if (!child) children.set(this, (child = logger.child({ requestId: this.id })));
      return child;
    },
  });
  const logRequests = logger.isLevelEnabled('info');
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      observe(req, res, ms / 1000);
      if (logRequests) {
        logger.info(
          { requestId: req.id, method: req.method, url: req.originalUrl, status: res.statusCode, ms },
          'request',
        );
      }
    });
    next();
  };
}

/** Middlewares run one after the other as one: the first to answer or fail ends the sequence. */
function inSequence(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let index = 0;
    const step = (err?: unknown): void => {
      if (err !== undefined && err !== null) return next(err);
      const handler = handlers[index++];
      if (!handler) return next();
      try {
        // As Express does for a layer: an async middleware's rejection is the request's error.
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) result.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

/**
 * The service's router at its mount point. It remembers the mount point first: Express resets
 * req.baseUrl when an error leaves the router, and the metrics label needs it to name the route.
 */
function mounted(service: ServiceModule): RequestHandler {
  return (req, res, next) => {
    res.locals.basePath = service.basePath;
    service.router(req, res, next);
  };
}

/**
 * A body that is neither JSON nor multipart (uploads) is refused with 415 instead of being ignored
 * and then failing validation with a confusing message.
 */
const requireJsonBodies: RequestHandler = (req, res, next) => {
  if (!BODY_METHODS.has(req.method) || !hasBody(req.headers)) return next();
  if (req.is(['application/json', 'application/*+json', 'multipart/form-data'])) return next();
  sendProblem(
    res,
    problems.unsupportedMediaType(
      `Content-Type ${req.get('content-type') ?? '(none)'} is not supported; send application/json`,
    ),
    req.originalUrl,
  );
};

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** With several services in one process (the launcher), each check is named `<service>/<check>`. */
function serviceReadiness(services: ServiceModule[]): ReadinessCheck[] {
  if (services.length === 1) return services[0]!.readiness;
  return services.flatMap((s) => s.readiness.map((c) => ({ ...c, name: `${s.name}/${c.name}` })));
}

function readinessHandler(checks: ReadinessCheck[], timeoutMs: number): RequestHandler {
  return async (_req, res) => {
    const report = await checkReadiness(checks, timeoutMs);
    res.status(report.status).json(report.body);
  };
}
