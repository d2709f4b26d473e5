/**
 * A service main as every service has one (`runStandalone` from the kit), with one authenticated
 * route, started as its own process by standalone.int.test.ts: what the kit does before serving
 * (fail closed on the bus, load the revocations in force) is checked on a real process.
 */
import express from 'express';
import { getAuth } from '@moocflix/platform-http/auth';
import { databaseReadiness } from './platform';
import { runStandalone } from './standalone';

const BASE_PATH = '/api/v1/fixture';

void runStandalone({
  name: 'kit-fixture',
  defaultPort: 0,
  create: async (ctx) => {
    const router = express.Router();
    router.get('/me', ctx.auth.requireAuth, (req, res) => {
      res.json(getAuth(req));
    });
    return {
      name: ctx.name,
      basePath: BASE_PATH,
      router,
      openapi: { openapi: '3.1.0', servers: [{ url: BASE_PATH }], paths: { '/me': { get: {} } } },
      readiness: [databaseReadiness(ctx.pool)],
      start: async () => {},
      stop: async () => {},
    };
  },
});
