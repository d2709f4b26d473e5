import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpProblem, problems } from '@moocflix/platform-core/errors';
import { answeredByBodyGuard } from './request-limits';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function sendProblem(
  res: Parameters<RequestHandler>[1],
  problem: HttpProblem,
  instance?: string,
): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.toBody(instance)));
}

/** The last route: anything unmatched is a problem+json 404, never Express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, problems.notFound(`Route ${req.method} ${req.path}`), req.originalUrl);
};

/**
 * Maps every thrown error to problem+json. Body-parser errors carry a `type`/`status` we translate
 * (too large → 413, bad JSON → 400, bad charset → 415); unknown errors are logged with the request
 * id and answered with a bare 500 that leaks nothing.
 */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    // The kit already answered (a body cut at its limit or timed out): the route's failure that
    // followed has nobody to tell, and Express's fallback would reset the connection.
    if (res.headersSent) return answeredByBodyGuard(req) ? undefined : next(err);
    const problem = toProblem(err);
    // Deliberate 5xx answers (an HttpProblem such as 503) were decided by the code; only
    // unexpected errors need their stack in the log.
    if (!(err instanceof HttpProblem)) {
      (req.log ?? logger).error({ err, requestId: req.id }, 'unhandled error');
    }
    sendProblem(res, problem, req.originalUrl);
  };
}

function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const e = err as {
    type?: string;
    status?: number;
    statusCode?: number;
    expose?: boolean;
    message?: string;
  };
  switch (e?.type) {
    case 'entity.too.large':
      return problems.payloadTooLarge();
    case 'entity.parse.failed':
      return problems.badRequest('Request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problems.unsupportedMediaType(e.message ?? 'Unsupported encoding');
    case 'request.aborted':
      return problems.badRequest('Request was aborted');
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpProblem(status, 'client-error', 'Bad request', e.expose ? e.message : undefined);
  }
  return new HttpProblem(500, 'internal', 'Internal server error', 'An unexpected error occurred');
}
