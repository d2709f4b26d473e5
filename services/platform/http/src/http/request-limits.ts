import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { Request, RequestHandler, Response } from 'express';
import { env } from '@moocflix/platform-core/config';
import { HttpProblem, problems } from '@moocflix/platform-core/errors';
import { sendProblem } from './problem-handler';

/**
 * How much a client may send and how slowly. Node's own limits (header size, header and request
 * timeouts) are set on the server; the rest is enforced per request by the guard below, because
 * the limit depends on the route (a JSON body is small, an upload is not) and because Node has no
 * notion of a body sent too slowly.
 */
export interface HttpLimits {
  /** Time to receive a request's headers (Node's headersTimeout): 408. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (Node's requestTimeout; 0 = none): 408. */
  requestTimeoutMs: number;
  /** Total size of a request's headers (Node's maxHeaderSize): 431. */
  maxHeaderBytes: number;
  /** Number of header fields: 431. */
  maxHeaders: number;
  body: BodyTimeouts;
}

/**
 * A body must keep coming (no pause longer than `idleTimeoutMs`) and must keep a minimum average
 * rate: after `graceMs`, each second of waiting must have brought `minBytesPerSecond` bytes
 * (Apache's mod_reqtimeout model: the deadline moves by one second per `minBytesPerSecond` bytes
 * received). A large upload at a decent rate is never cut; a client trickling a byte every 200 ms
 * is, after about `graceMs`. Only time spent waiting for the client counts: while the server
 * itself is not reading (back-pressure from storage) the clocks stop.
 */
export interface BodyTimeouts {
  idleTimeoutMs: number;
  graceMs: number;
  /** 0 = no rate requirement (the idle timeout still applies). */
  minBytesPerSecond: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 3_600_000,
  maxHeaderBytes: 16 * 1024,
  maxHeaders: 100,
  body: { idleTimeoutMs: 30_000, graceMs: 10_000, minBytesPerSecond: 1024 },
};

/** The environment variables of these limits, for `commonServiceConfigSchema` (defaults above). */
export const httpLimitsConfigShape = {
  HTTP_HEADERS_TIMEOUT_MS: env.int(DEFAULT_HTTP_LIMITS.headersTimeoutMs, 1),
  HTTP_REQUEST_TIMEOUT_MS: env.int(DEFAULT_HTTP_LIMITS.requestTimeoutMs, 0),
  HTTP_MAX_HEADER_BYTES: env.int(DEFAULT_HTTP_LIMITS.maxHeaderBytes, 1024),
  HTTP_MAX_HEADERS: env.int(DEFAULT_HTTP_LIMITS.maxHeaders, 1),
  HTTP_BODY_IDLE_TIMEOUT_MS: env.int(DEFAULT_HTTP_LIMITS.body.idleTimeoutMs, 1),
  HTTP_BODY_GRACE_MS: env.int(DEFAULT_HTTP_LIMITS.body.graceMs, 0),
  HTTP_BODY_MIN_BYTES_PER_SECOND: env.int(DEFAULT_HTTP_LIMITS.body.minBytesPerSecond, 0),
};

type HttpLimitsConfig = { [K in keyof typeof httpLimitsConfigShape]: number };

export function httpLimitsFromConfig(config: HttpLimitsConfig): HttpLimits {
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    maxHeaderBytes: config.HTTP_MAX_HEADER_BYTES,
    maxHeaders: config.HTTP_MAX_HEADERS,
    body: {
      idleTimeoutMs: config.HTTP_BODY_IDLE_TIMEOUT_MS,
      graceMs: config.HTTP_BODY_GRACE_MS,
      minBytesPerSecond: config.HTTP_BODY_MIN_BYTES_PER_SECOND,
    },
  };
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** '100kb' → 102400, as body-parser reads its `limit` (binary units); a number is bytes. */
export function parseByteSize(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  if (!match) throw new Error(`"${value}" is not a size (e.g. 100kb, 2mb)`);
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!);
}

/**
 * After its answer, what is left of a refused body is read and thrown away for a moment before
 * the connection is closed: closing with unread bytes makes the kernel send a reset, which can
 * destroy the answer before the client reads it (RFC 9112 §9.6). Bounded in time and bytes.
 */
const LINGER_MS = 2000;
const LINGER_MAX_BYTES = 16 * 1024 * 1024;
const CLOCK_TICK_MS = 100;

const GUARDS = new WeakMap<IncomingMessage, BodyGuard>();

export const requestTimeout = (detail: string) =>
  new HttpProblem(408, 'request-timeout', 'Request timeout', detail);
export const headerFieldsTooLarge = (detail: string) =>
  new HttpProblem(431, 'header-fields-too-large', 'Request header fields too large', detail);

/** The client went away before its body was complete; nobody is left to answer. */
function clientGone(): HttpProblem {
  return problems.badRequest('The client closed the connection before the request body was complete');
}

/**
 * Watches one request's body: counts it against the route's limit (413), times it (408), notices
 * a client that leaves mid-body, and once an answer has gone out drains what is left only briefly.
 * It sits where Node hands the body to the request stream (`push`), so it sees every byte whoever
 * reads them — body-parser, busboy, or Node draining an unread body — and never starts the flow.
 */
class BodyGuard {
  private received = 0;
  private waitedMs = 0;
  private idleMs = 0;
  private clock: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingered = 0;
  /** Set once the kit answered in the route's place: nothing more reaches the request stream. */
  private violation: HttpProblem | undefined;
  /** Set once the answer went out while the body was still coming: the rest is drained. */
  private draining = false;
  private complete = false;
  private consumer: PassThrough | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    public maxBytes: number,
    private readonly timeouts: BodyTimeouts,
  ) {
    const push = req.push.bind(req);
    // An own property: Express swaps the request's prototype, which would drop a subclass override.
    req.push = (chunk: unknown, encoding?: BufferEncoding) => this.onPush(push, chunk, encoding);
    // Node emits a request's 'error' only when someone listens; the 'close' below tells the story.
    req.on('error', () => undefined);
    req.on('close', () => {
      this.stopClock();
      if (!this.complete && !req.complete) this.consumer?.destroy(clientGone());
    });
    res.on('finish', () => this.afterAnswer());
    res.on('close', () => this.afterAnswer());
    this.clock = setInterval(() => this.tick(), Math.min(CLOCK_TICK_MS, timeouts.idleTimeoutMs));
    this.clock.unref();
  }

  /** Raises (or lowers) the limit for this route; a declared length over it is refused now. */
  limitTo(maxBytes: number): HttpProblem | undefined {
    this.maxBytes = maxBytes;
    const declared = declaredLength(this.req);
    if (declared !== undefined && declared > maxBytes) {
      return problems.payloadTooLarge(`The request body is larger than the limit of ${maxBytes} bytes`);
    }
    if (this.received > maxBytes) return problems.payloadTooLarge();
    return undefined;
  }

  /** The body as a stream that fails with the guard's answer (413, 408, client gone). */
  stream(): Readable {
    if (!this.consumer) {
      const consumer = (this.consumer = new PassThrough());
      if (this.violation) consumer.destroy(this.violation);
      else this.req.pipe(consumer);
    }
    return this.consumer;
  }

  /** Answers `problem` in the route's place (unless an answer started) and stops the body. */
  refuse(problem: HttpProblem): void {
    if (this.violation) return;
    this.violation = problem;
    this.stopClock();
    const req = this.req as Request;
    if (this.consumer) {
      req.unpipe(this.consumer);
      this.consumer.destroy(problem);
    }
    if (!this.res.headersSent) {
      sendProblem(this.res as Response, problem, req.originalUrl);
      this.afterAnswer();
    } else if (!this.res.writableEnded) {
      // An answer is half-written: there is no way left to tell the client, only to hang up.
      req.socket?.destroy();
    } else {
      this.afterAnswer();
    }
  }

  /** True once the kit answered for this request (a later error of the route has no one to tell). */
  get answered(): boolean {
    return this.violation !== undefined;
  }

  private onPush(push: Readable['push'], chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) {
      this.complete = true;
      this.stopClock();
      if (this.lingerTimer) {
        clearTimeout(this.lingerTimer);
        this.lingerTimer = undefined;
      }
      // After a refusal the request stream is left as it was: a parser waiting on it must not see
      // a truncated body as a complete one. Node still reads the next request on the connection.
      return this.violation ? true : push(null);
    }
    const size = (chunk as Buffer).length;
    if (this.violation || this.draining) {
      this.lingered += size;
      if (this.lingered > LINGER_MAX_BYTES) this.req.socket.destroy();
      // Thrown away: returning true keeps Node reading the socket, which is what draining means.
      return true;
    }
    this.received += size;
    this.idleMs = 0;
    if (this.received > this.maxBytes) {
      this.refuse(
        problems.payloadTooLarge(`The request body is larger than the limit of ${this.maxBytes} bytes`),
      );
      return true;
    }
    return push(chunk, encoding);
  }

  /** Counts time only while the reader waits for the client (flowing, nothing buffered). */
  private tick(): void {
    const req = this.req;
    if (this.complete || req.complete) {
      this.stopClock();
      return;
    }
    // The reader waits for the client when it takes data as it comes ('data' or 'readable') and
    // nothing is left unread; otherwise the server is the slow one, or nobody reads yet.
    const reading = req.readableFlowing === true || req.listenerCount('readable') > 0;
    if (!reading || req.readableLength > 0) return;
    const step = Math.min(CLOCK_TICK_MS, this.timeouts.idleTimeoutMs);
    this.waitedMs += step;
    this.idleMs += step;
    const { idleTimeoutMs, graceMs, minBytesPerSecond } = this.timeouts;
    const tooSlow =
      minBytesPerSecond > 0 && this.waitedMs > graceMs + (this.received * 1000) / minBytesPerSecond;
    if (this.idleMs >= idleTimeoutMs || tooSlow) {
      this.refuse(
        requestTimeout(
          tooSlow
            ? `The request body came in slower than ${minBytesPerSecond} bytes per second`
            : `No byte of the request body came for ${idleTimeoutMs} ms`,
        ),
      );
    }
  }

  /** The answer is out: if the body is still coming, drain it briefly, then close the connection. */
  private afterAnswer(): void {
    // Not yet (the answer is still being written: 'finish' calls again), not needed, or done.
    if (!this.res.writableEnded || this.complete || this.req.complete || this.lingerTimer) return;
    this.stopClock();
    this.draining = true;
    const req = this.req;
    // Whoever read the body has stopped; keep the bytes moving so the client can read the answer.
    if (this.consumer) {
      req.unpipe(this.consumer);
      this.consumer.destroy();
    }
    req.resume();
    this.lingerTimer = setTimeout(() => req.socket?.destroy(), LINGER_MS);
    this.lingerTimer.unref();
  }

  private stopClock(): void {
    if (this.clock) clearInterval(this.clock);
    this.clock = undefined;
  }
}

function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const value = Number(header);
  return Number.isFinite(value) ? value : undefined;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\//i.test(req.headers['content-type'] ?? '');
}

/**
 * The first middleware of the app: refuses too many header fields (431), and guards every body
 * (see BodyGuard). A declared Content-Length over the JSON limit is refused (413) before a byte is
 * read — body-parser would read the whole body before refusing it. Multipart bodies are left to
 * the route, which declares its own limit with `allowBody`; until it does, the JSON limit holds.
 */
export function guardRequests(limits: HttpLimits, jsonLimit: string): RequestHandler {
  const jsonMaxBytes = parseByteSize(jsonLimit);
  return (req, res, next) => {
    if (req.rawHeaders.length / 2 > limits.maxHeaders) {
      // The rest of the request is not read: answer and close, as Node does for oversized headers.
      res.setHeader('Connection', 'close');
      sendProblem(
        res,
        headerFieldsTooLarge(`A request may carry at most ${limits.maxHeaders} header fields`),
        req.originalUrl,
      );
      return;
    }
    if (!hasBody(req)) {
      next();
      return;
    }
    const guard = new BodyGuard(req, res, jsonMaxBytes, limits.body);
    GUARDS.set(req, guard);
    const refusal = isMultipart(req) ? undefined : guard.limitTo(jsonMaxBytes);
    if (refusal) guard.refuse(refusal);
    else next();
  };
}

/**
 * A route's own body limit (an upload): a declared Content-Length over it is refused with 413
 * before a byte is read, and a body without one (chunked) is cut at the limit while it streams.
 * Put it before authentication, so even an anonymous client is refused without being read.
 */
export function allowBody(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    const guard = GUARDS.get(req);
    const refusal = guard?.limitTo(maxBytes);
    if (refusal) guard!.refuse(refusal);
    else next();
  };
}

/**
 * The request's body as a stream to read instead of `req`: it fails with the guard's problem when
 * the body is cut (413 over the limit, 408 too slow) or 400 when the client leaves mid-body, so a
 * streaming reader (a multipart parser) always learns how its input ended.
 */
export function requestBody(req: IncomingMessage): Readable {
  return GUARDS.get(req)?.stream() ?? req;
}

/** True when the kit already answered this request (a body refused mid-way): nothing more to send. */
export function answeredByBodyGuard(req: IncomingMessage): boolean {
  return GUARDS.get(req)?.answered ?? false;
}
