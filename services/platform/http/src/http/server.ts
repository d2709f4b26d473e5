import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { HttpProblem, problems } from '@moocflix/platform-core/errors';
import { PROBLEM_CONTENT_TYPE } from './problem-handler';
import { DEFAULT_HTTP_LIMITS, headerFieldsTooLarge, requestTimeout, type HttpLimits } from './request-limits';

/**
 * What a process's server spends telling keep-alive clients to reconnect when it stops
 * (keepAliveDrainMs). A client sending a steady stream uses each connection within milliseconds;
 * 3 s also fits the pod's 30 s termination grace after the preStop delay (10 s) and the drain (10 s).
 */
export const KEEP_ALIVE_DRAIN_MS = 3_000;

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Graceful stop: refuse new connections, let in-flight requests finish, then run `onClose`. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  app: Express;
  port: number;
  host?: string;
  logger: Logger;
  /** Releases what the service holds (consumers, relay, pools) after the HTTP server has drained. */
  onClose?: () => Promise<void>;
  drainTimeoutMs?: number;
  /**
   * Before it stops accepting, close() first spends up to this long answering every request with
   * `Connection: close`, so each keep-alive connection is closed by the server right after an answer,
   * at a moment the client knows of. Closing an idle keep-alive connection at once races with a
   * client that is sending a request on it just then (it sees ECONNRESET or "other side closed"):
   * on a rolling update, clients that reuse connections to the stopping pod hit exactly that. The
   * phase ends early once no connection is left; what is still idle afterwards is closed as before.
   * 0 (the default, for tests): no such phase.
   */
  keepAliveDrainMs?: number;
  /** Install SIGTERM/SIGINT handlers (a process's main does; tests don't). */
  handleSignals?: boolean;
  /** Header size and count, header and request timeouts (the body limits are the app's). */
  limits?: Pick<HttpLimits, 'headersTimeoutMs' | 'requestTimeoutMs' | 'maxHeaderBytes' | 'maxHeaders'>;
}

export async function startHttpServer(options: StartServerOptions): Promise<RunningServer> {
  const { app, logger, host = '0.0.0.0', drainTimeoutMs = 10_000, keepAliveDrainMs = 0 } = options;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      // Counted from the first byte of a request: a client dribbling its headers is cut off (408).
      headersTimeout: limits.headersTimeoutMs,
      // The whole request, body included; the per-request body guard cuts slow bodies much sooner.
      requestTimeout: limits.requestTimeoutMs,
      // How often Node checks the two timeouts above; at most a quarter of the shorter one.
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(
          30_000,
          Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs || Infinity) / 4),
        ),
      ),
    },
    app,
  );
  // Node keeps only this many header fields and drops the rest silently; one more than the limit
  // lets the app see that the limit was passed and refuse the request (431).
  server.maxHeadersCount = limits.maxHeaders + 1;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
  const keepAlive = trackKeepAliveConnections(server);
  server.listen(options.port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Keep-alive above typical load balancer idle timeouts so they close first (no 502 races). Node
  // counts headersTimeout from a request's first byte, so it need not exceed this.
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      logger.info('shutting down: draining HTTP connections');
      await keepAlive.closeAfterNextAnswer(keepAliveDrainMs);
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
      await drained;
      clearTimeout(force);
      await options.onClose?.();
      logger.info('shut down');
    })());

  if (options.handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        close().then(
          () => process.exit(0),
          (err) => {
            logger.error({ err }, 'error during shutdown');
            process.exit(1);
          },
        );
      });
    }
  }
  return { server, port, url: `http://127.0.0.1:${port}`, close };
}

/**
 * The server's open connections, and a drain phase in which every answer ends its connection
 * (see keepAliveDrainMs): answers whose headers are not sent yet get `Connection: close`, and so
 * does every request that still arrives, on an old connection or a new one.
 */
function trackKeepAliveConnections(server: Server) {
  const sockets = new Set<Socket>();
  let draining = false;
  let lastClosed: (() => void) | undefined;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) lastClosed?.();
    });
  });
  // Pipelined requests waiting behind their connection's current answer (rare: browsers and load
  // balancers do not pipeline). The current answers are found through their sockets when a drain
  // starts, so the common request costs no listener of its own here.
  const queued = new Set<ServerResponse>();
  // Before the app's own listener, so the header is set before the app can answer.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (draining) {
      res.setHeader('Connection', 'close');
      return;
    }
    if (currentAnswer(req.socket) === res) return;
    queued.add(res);
    res.once('close', () => queued.delete(res));
  });
  return {
    async closeAfterNextAnswer(maxMs: number): Promise<void> {
      if (maxMs <= 0 || draining) return;
      draining = true;
      const inProgress = [...queued, ...[...sockets].map(currentAnswer)];
      for (const res of inProgress) if (res && !res.headersSent) res.setHeader('Connection', 'close');
      queued.clear();
      if (sockets.size === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, maxMs);
        lastClosed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      lastClosed = undefined;
    },
  };
}

/** The answer a connection is writing now: Node's own record of it, which pipelined ones wait behind. */
function currentAnswer(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
}

/**
 * What Node could not even turn into a request (headers too large, malformed, too slow) is
 * answered as problem+json, like everything else, and the connection closed. Node's default
 * answers with an empty body.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  const inFlight = currentAnswer(socket);
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const problem = clientErrorProblem(err.code);
  const body = JSON.stringify(problem.toBody());
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  // end() closes once written; a client that never reads must not keep the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
}

function clientErrorProblem(code: string | undefined): HttpProblem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return headerFieldsTooLarge('The request headers are larger than the server accepts');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return requestTimeout('The request did not arrive in time');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return problems.payloadTooLarge('The chunk extensions are too large');
    default:
      return problems.badRequest('The request is not valid HTTP/1.1');
  }
}
