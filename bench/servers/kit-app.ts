// Candidate for the kit-overhead benchmark: the same route through the kit's app factory, with
// everything a real service gets (request ids, security headers, metrics, problem handling).
import { Router } from 'express';
import { createHttpApp, startHttpServer } from '@moocflix/platform-http';
import { createLogger } from '@moocflix/platform-core/log';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';

const logger = createLogger('bench', process.env.LOG_LEVEL ?? 'info');
const router = Router();
router.get('/ping', (_req, res) => {
  res.json({ ok: true, at: 'bench' });
});
const app = createHttpApp({
  logger,
  registry: createMetricsRegistry(),
  services: [{ name: 'bench', basePath: '/api/v1/bench', router, openapi: {}, readiness: [], start: async () => undefined, stop: async () => undefined }],
});
startHttpServer({ app, port: 0, host: '127.0.0.1', logger, handleSignals: true }).then(
  ({ url }) => console.log(`LISTENING ${url}`),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
