import { Histogram, type Registry } from 'prom-client';
import type { Request, Response } from 'express';

// The HTTP request histogram lives with the express app that feeds it, not in core's metrics
// module: core is imported by every process (the operator too), which must not need express.

/** Records one answered request. */
export type HttpRequestObserver = (req: Request, res: Response, seconds: number) => void;

/**
 * Request latency by method, ROUTE PATTERN (not raw URL, which would explode label cardinality with
 * ids) and status. The histogram's `_count` series is the request count, so no separate counter is
 * kept (it would double the per-request cost). The caller times the request (see createHttpApp).
 */
export function httpRequestObserver(registry: Registry): HttpRequestObserver {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency (its _count is the number of requests)',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (req, res, seconds) => {
    duration.observe(
      { method: req.method, route: routeLabel(req, res.locals.basePath), status: String(res.statusCode) },
      seconds,
    );
  };
}

function routeLabel(req: Request, basePath: unknown): string {
  const pattern = req.route?.path;
  if (typeof pattern !== 'string') return 'unmatched';
  return `${typeof basePath === 'string' ? basePath : req.baseUrl}${pattern === '/' ? '' : pattern}`;
}
