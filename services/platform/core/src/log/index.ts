import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (one object per line) so a cluster's log pipeline can index them.
 * Secrets never reach the log: authorization headers, cookies and password fields are redacted.
 */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.currentPassword',
        '*.accessToken',
        '*.secretAccessKey',
      ],
      censor: '[redacted]',
    },
  });
}
