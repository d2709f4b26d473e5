import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';

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
  /** Install SIGTERM/SIGINT handlers (a process's main does; tests don't). */
  handleSignals?: boolean;
}

export async function startHttpServer(options: StartServerOptions): Promise<RunningServer> {
  const { app, logger, host = '0.0.0.0', drainTimeoutMs = 10_000 } = options;
  const server = app.listen(options.port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Keep-alive above typical load balancer idle timeouts so they close first (no 502 races).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      logger.info('shutting down: draining HTTP connections');
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
