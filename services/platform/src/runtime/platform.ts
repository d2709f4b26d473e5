import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAuthenticator, InMemoryRevocationList, startRevocationFeed } from '../auth';
import type { Authenticator } from '../auth/types';
import { createPool, ensureDatabase, type Pool } from '../db';
import { createEventBus, type EventBus, type Subscription } from '../events';
import type { ReadinessCheck } from '../http';
import { createMetricsRegistry } from '../metrics';
import { createObjectStorage, loadStorageConfig } from '../storage';
import type { ObjectStorage } from '../storage/types';
import type { ServiceContext } from './context';
import type { CommonServiceConfig } from './service-config';

/**
 * The process-wide infrastructure one or more services share: event bus, object storage, token
 * verification with its revocation feed, metrics. A standalone service has one of these; the
 * one-process launcher has one for all services (so they share the in-process bus).
 */
export interface Platform {
  logger: Logger;
  registry: Registry;
  bus: EventBus;
  storage: ObjectStorage;
  auth: Authenticator;
  /** Infrastructure checks for /readyz (broker, storage); services add their database check. */
  readiness: ReadinessCheck[];
  /** A context for service `name` with its own pool on its own database. */
  contextFor(name: string, databaseUrl: string): Promise<ServiceContext>;
  close(): Promise<void>;
}

export async function createPlatform(options: {
  processName: string;
  config: CommonServiceConfig;
  env: Record<string, string | undefined>;
  logger: Logger;
}): Promise<Platform> {
  const { processName, config, env, logger } = options;
  const registry = createMetricsRegistry({ process: processName });
  const bus = createEventBus({ kafkaBrokers: config.KAFKA_BROKERS, clientId: processName, logger });
  const storage = createObjectStorage(loadStorageConfig(env), logger);
  await storage.ensureBucket();

  const revocations = new InMemoryRevocationList();
  const auth = createAuthenticator({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ...(config.JWT_PUBLIC_JWKS
      ? { publicKeys: config.JWT_PUBLIC_JWKS as never }
      : { jwksUrl: config.JWT_JWKS_URL }),
    revocations,
    logger,
  });
  const feed: Subscription = await startRevocationFeed({ bus, revocations, groupId: processName, logger });

  const pools: Pool[] = [];
  return {
    logger,
    registry,
    bus,
    storage,
    auth,
    readiness: [
      { name: 'event-bus', check: () => bus.ping() },
      { name: 'object-storage', check: () => storage.ping() },
    ],
    async contextFor(name, databaseUrl) {
      if (config.DATABASE_CREATE) await ensureDatabase(databaseUrl);
      const pool = createPool(databaseUrl, { max: config.DATABASE_POOL_MAX, applicationName: name });
      pools.push(pool);
      return { name, logger: logger.child({ component: name }), registry, pool, bus, auth, storage, env };
    },
    async close() {
      await feed.close();
      await bus.close();
      await Promise.all(pools.map((p) => p.end()));
    },
  };
}

/** The standard readiness check of a service's own database. */
export function databaseReadiness(pool: Pool): ReadinessCheck {
  return {
    name: 'database',
    check: async () => {
      await pool.query('SELECT 1');
    },
  };
}
