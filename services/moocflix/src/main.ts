import { resolve } from 'node:path';
import { z } from 'zod';
import { env, loadConfig } from '@moocflix/platform/config';
import { createHttpApp, startHttpServer, type ServiceModule } from '@moocflix/platform/http';
import { createLogger } from '@moocflix/platform/log';
import { commonServiceConfigSchema, createPlatform, installProcessGuard } from '@moocflix/platform/runtime';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';
import { SERVICES } from './services';

/**
 * `moocflix dev`: the whole platform in ONE process on embedded defaults — a real
 * PostgreSQL from npm with its data under .moocflix/, the in-process event bus, object storage on
 * the local disk. DATABASE_URL, KAFKA_BROKERS and S3_ENDPOINT switch each to the real thing.
 */
const launcherConfigSchema = commonServiceConfigSchema('moocflix', 8080).extend({
  MOOCFLIX_HOME: env.string('.moocflix'),
  MOOCFLIX_PG_PORT: env.port(54329),
  /** Unset → embedded PostgreSQL. Set → a server on which each service gets its own database. */
  DATABASE_URL: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const config = loadConfig(launcherConfigSchema);
  const logger = createLogger('moocflix', config.LOG_LEVEL);
  // The kit's policy for the unexpected: logged, counted, and the process exits non-zero.
  const guard = installProcessGuard({ logger, name: 'moocflix' });
  const home = resolve(config.MOOCFLIX_HOME);
  const startedAt = Date.now();

  let embedded: EmbeddedPostgresHandle | undefined;
  let urlFor: (database: string) => string;
  if (config.DATABASE_URL) {
    const base = new URL(config.DATABASE_URL);
    urlFor = (database) => Object.assign(new URL(base), { pathname: `/${database}` }).toString();
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: `${home}/pg`, port: config.MOOCFLIX_PG_PORT, logger });
    urlFor = embedded.urlFor;
  }

  // Services read their own settings from this env; point them at this process and .moocflix/.
  const serviceEnv: Record<string, string | undefined> = {
    STORAGE_DIR: `${home}/storage`,
    MOOCFLIX_HOME: home,
    ...process.env,
  };
  const platform = await createPlatform({
    processName: 'moocflix',
    config: {
      ...config,
      DATABASE_URL: urlFor('postgres'),
      DATABASE_CREATE: true,
      JWT_JWKS_URL: process.env.JWT_JWKS_URL ?? `http://127.0.0.1:${config.PORT}/api/v1/users/.well-known/jwks.json`,
    },
    env: serviceEnv,
    logger,
  });
  guard.registerMetrics(platform.registry);

  const modules: ServiceModule[] = [];
  for (const service of SERVICES) {
    const ctx = await platform.contextFor(service.name, urlFor(service.name));
    modules.push(await service.create(ctx));
  }

  const app = createHttpApp({
    logger,
    registry: platform.registry,
    services: modules,
    readiness: platform.readiness,
    jsonLimit: config.JSON_BODY_LIMIT,
    trustedProxies: config.TRUSTED_PROXIES,
  });
  await startHttpServer({
    app,
    port: config.PORT,
    host: config.HOST,
    logger,
    handleSignals: true,
    onClose: async () => {
      for (const module of [...modules].reverse()) await module.stop();
      await platform.close();
      await embedded?.stop();
    },
  });
  for (const module of modules) await module.start();
  logger.info(
    { url: `http://localhost:${config.PORT}`, services: modules.map((m) => m.name), startupMs: Date.now() - startedAt },
    `MoocFlix ready on http://localhost:${config.PORT}`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
