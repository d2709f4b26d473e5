/**
 * RFC 9457 problem details. Every error a client sees is one of these, rendered as
 * application/problem+json by the HTTP layer — never an HTML page or a stack trace.
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const PROBLEM_BASE = 'https://moocflix.io/problems/';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  toBody(instance?: string): ProblemBody {
    // Extensions first: they may add members but never override the standard ones.
    return {
      ...this.extensions,
      type: PROBLEM_BASE + this.slug,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
    };
  }
}

export const problems = {
  badRequest: (detail: string, errors?: FieldError[]) =>
    new HttpProblem(400, 'validation', 'Request is invalid', detail, errors ? { errors } : {}),
  unauthorized: (detail = 'A valid bearer token is required') =>
    new HttpProblem(401, 'unauthorized', 'Unauthorized', detail, {}, { 'WWW-Authenticate': 'Bearer' }),
  forbidden: (detail = 'You are not allowed to do this') => new HttpProblem(403, 'forbidden', 'Forbidden', detail),
  notFound: (what = 'Resource') => new HttpProblem(404, 'not-found', 'Not found', `${what} not found`),
  conflict: (detail: string, reason?: string) =>
    new HttpProblem(409, 'conflict', 'Conflict', detail, reason ? { reason } : {}),
  preconditionFailed: (detail: string) =>
    new HttpProblem(412, 'precondition-failed', 'Precondition failed', detail),
  /** A known path asked with a method it does not serve; `Allow` lists the ones it does (RFC 9110 §15.5.6). */
  methodNotAllowed: (method: string, allowed: string[]) =>
    new HttpProblem(
      405,
      'method-not-allowed',
      'Method not allowed',
      `${method} is not allowed here; use ${allowed.join(', ')}`,
      {},
      { Allow: allowed.join(', ') },
    ),
  payloadTooLarge: (detail = 'Request body is too large') =>
    new HttpProblem(413, 'payload-too-large', 'Payload too large', detail),
  unsupportedMediaType: (detail: string) =>
    new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', detail),
  unprocessable: (detail: string, reason?: string) =>
    new HttpProblem(422, 'unprocessable', 'Unprocessable request', detail, reason ? { reason } : {}),
  tooManyRequests: (retryAfterSeconds: number) =>
    new HttpProblem(
      429,
      'rate-limited',
      'Too many requests',
      `Try again in ${retryAfterSeconds} s`,
      {},
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  unavailable: (detail: string) => new HttpProblem(503, 'unavailable', 'Service unavailable', detail),
};
