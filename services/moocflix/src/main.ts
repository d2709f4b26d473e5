// First import: starts tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) before express, pg and
// kafkajs load, so they get instrumented. `make dev` also passes it as --import, which runs it before
// this file is even read.
import '@moocflix/platform-telemetry/instrument';
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { z } from 'zod';
import { env, loadConfig } from '@moocflix/platform-core/config';
import type { Pool } from '@moocflix/platform-db';
import { PostgresEventBus, type EventBus } from '@moocflix/platform-bus';
import {
  createHttpApp,
  httpLimitsFromConfig,
  KEEP_ALIVE_DRAIN_MS,
  startHttpServer,
  type ServiceModule,
} from '@moocflix/platform-http';
import { createLogger, type Logger } from '@moocflix/platform-core/log';
import { installProcessGuard } from '@moocflix/platform-core/process';
import { commonServiceConfigSchema, createPlatform } from '@moocflix/platform-runtime';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';
import { SERVICES } from './services';
import { DEFAULT_WEB_DIST, withWebConsole } from './web-console';

/**
 * `moocflix dev`: the whole platform in ONE process on embedded defaults — a real PostgreSQL from
 * npm with its data under .moocflix/, the durable event bus in that PostgreSQL (database
 * `moocflix_bus`), object storage on the local disk. DATABASE_URL, KAFKA_BROKERS and S3_ENDPOINT
 * switch each to the real thing.
 *
 * Across a crash (kill -9, power loss) nothing acknowledged is lost: every write and its events are
 * committed together (transactional outbox), the bus keeps its log and each consumer's position in
 * PostgreSQL, and consumers resume from their committed position at the next start.
 */
const launcherConfigSchema = commonServiceConfigSchema('moocflix', 8080).extend({
  MOOCFLIX_HOME: env.string('.moocflix'),
  MOOCFLIX_PG_PORT: env.port(54329),
  /** Unset → embedded PostgreSQL. Set → a server on which each service gets its own database. */
  DATABASE_URL: z.string().min(1).optional(),
  /** The built web console served at / (same origin as the API). */
  WEB_DIST: env.string(DEFAULT_WEB_DIST),
});

/** The database of the durable event bus, next to the services' own. */
const BUS_DATABASE = 'moocflix_bus';
/** How long a SIGTERM waits for the outboxes to be published before stopping the consumers. */
const OUTBOX_DRAIN_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig(launcherConfigSchema);
  const logger = createLogger('moocflix', config.LOG_LEVEL);
  // The kit's policy for the unexpected: logged, counted, and the process exits non-zero.
  const guard = installProcessGuard({ logger, name: 'moocflix' });
  const home = resolve(config.MOOCFLIX_HOME);
  const startedAt = Date.now();

  let embedded: EmbeddedPostgresHandle | undefined;
  let bus: EventBus | undefined;
  try {
    let urlFor: (database: string) => string;
    if (config.DATABASE_URL) {
      const base = new URL(config.DATABASE_URL);
      urlFor = (database) => Object.assign(new URL(base), { pathname: `/${database}` }).toString();
    } else {
      embedded = await startEmbeddedPostgres({ dataDir: `${home}/pg`, port: config.MOOCFLIX_PG_PORT, logger });
      urlFor = embedded.urlFor;
    }
    if (!config.KAFKA_BROKERS?.length) {
      bus = await PostgresEventBus.open({ databaseUrl: urlFor(BUS_DATABASE), createDatabase: true, logger });
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
      bus,
    });
    // From here the platform owns the bus and closes it.
    bus = undefined;
    guard.registerMetrics(platform.registry);

    const modules: ServiceModule[] = [];
    const pools: Pool[] = [];
    for (const service of SERVICES) {
      const ctx = await platform.contextFor(service.name, urlFor(service.name));
      pools.push(ctx.pool);
      modules.push(await service.create(ctx));
    }

    const app = createHttpApp({
      logger,
      registry: platform.registry,
      services: modules,
      readiness: platform.readiness,
      jsonLimit: config.JSON_BODY_LIMIT,
      limits: httpLimitsFromConfig(config),
      trustedProxies: config.TRUSTED_PROXIES,
    });
    const stopPostgres = embedded ? () => embedded!.stop() : async () => undefined;
    await startHttpServer({
      app: withWebConsole(app, config.WEB_DIST, logger),
      port: config.PORT,
      host: config.HOST,
      logger,
      handleSignals: true,
      // Keep-alive clients are told to reconnect (to another pod) before idle connections close.
      keepAliveDrainMs: KEEP_ALIVE_DRAIN_MS,
      limits: httpLimitsFromConfig(config),
      // Runs once the HTTP server stopped accepting and the requests in flight finished. Then, in
      // order: the outboxes are published while consumers still run, the consumers and relays stop,
      // the bus closes, and PostgreSQL stops last, with nobody left using it.
      onClose: async () => {
        await drainOutboxes(pools, logger);
        for (const module of [...modules].reverse()) await module.stop();
        await platform.close();
        await stopPostgres();
      },
    });
    for (const module of modules) await module.start();
    logger.info(
      { url: `http://localhost:${config.PORT}`, services: modules.map((m) => m.name), startupMs: Date.now() - startedAt },
      `MoocFlix ready on http://localhost:${config.PORT}`,
    );
  } catch (err) {
    // Leave nothing running behind a failed start.
    await bus?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * Waits (bounded) until every service's outbox has been published, so that events written by the
 * last requests reach the bus before the consumers stop. Whatever is left stays in the outbox and is
 * published at the next start.
 */
async function drainOutboxes(pools: Pool[], logger: Logger): Promise<void> {
  const deadline = Date.now() + OUTBOX_DRAIN_MS;
  let withOutbox: Pool[];
  try {
    // Not every service has an outbox (the transcoder keeps no data).
    const has = await Promise.all(
      pools.map(async (pool) => (await pool.query("SELECT to_regclass('platform_outbox') IS NOT NULL AS has")).rows[0]?.has === true),
    );
    withOutbox = pools.filter((_, i) => has[i]);
  } catch (err) {
    logger.warn({ err }, 'cannot tell whether the outboxes are published; stopping anyway');
    return;
  }
  for (;;) {
    let pending = 0;
    try {
      for (const pool of withOutbox) {
        const { rows } = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM platform_outbox WHERE published_at IS NULL',
        );
        pending += rows[0]?.n ?? 0;
      }
    } catch (err) {
      logger.warn({ err }, 'cannot tell whether the outboxes are published; stopping anyway');
      return;
    }
    if (pending === 0) return;
    if (Date.now() > deadline) {
      logger.warn({ pending }, 'outbox events not published before shutdown; they go out at the next start');
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Says what failed, with its stack: never a bare `undefined`. */
function describeFailure(err: unknown): string {
  // inspect() of an Error: its stack, its cause chain and its extra fields (code, detail, ...).
  if (err instanceof Error) return inspect(err, { depth: 5 });
  return `it failed with a non-error value: ${inspect(err)}`;
}

main().catch((err: unknown) => {
  console.error(`moocflix dev could not start.\n${describeFailure(err)}`);
  process.exit(1);
});
