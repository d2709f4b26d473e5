import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createAuthenticator,
  fetchRevocationSnapshot,
  InMemoryRevocationList,
  startRevocationFeed,
  startRevocationOutageRefresh,
  startRevocationSnapshotLoader,
  type RevocationSnapshot,
  type RevocationSnapshotLoader,
} from '@moocflix/platform-http/auth';
import type { PeriodicTask } from '@moocflix/platform-core/process';
import type { Authenticator } from '@moocflix/platform-http/auth';
import { createPool, ensureDatabase, type Pool } from '@moocflix/platform-db';
import { sleep } from '@moocflix/platform-core/retry';
import { createEventBus, OutboxRelay, type EventBus, type Subscription } from '@moocflix/platform-bus';
import type { ReadinessCheck } from '@moocflix/platform-http';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';
import { createObjectStorage, loadStorageConfig } from '@moocflix/platform-storage';
import type { ObjectStorage } from '@moocflix/platform-storage';
import type { ServiceContext } from './context';
import { revocationsUrl, type CommonServiceConfig } from './service-config';

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
  /**
   * Infrastructure checks for /readyz, each under its own name: `event-bus` (it only degrades:
   * requests commit their events to the outbox, not to the broker), `object-storage`,
   * `revocations` (the revocations in force are loaded); services add their `database` check.
   */
  readiness: ReadinessCheck[];
  /**
   * Starts loading the revocations in force from the users service (JWT_REVOCATIONS_URL), in the
   * background, unless they are already known: the users service applies them from its own
   * database while it is created, so a process running it needs no fetch. Until loaded, every
   * token gets 503 and `revocations` fails in /readyz. From then on, while the event bus does not
   * answer, reads them again every 10 s from the same source, or from `ownSource` (the users
   * service's database, in the users service), so a broker outage does not delay a revocation.
   * Idempotent.
   */
  startRevocationSync(ownSource?: () => Promise<RevocationSnapshot>): void;
  /** A context for service `name` with its own pool on its own database. */
  contextFor(name: string, databaseUrl: string): Promise<ServiceContext>;
  close(): Promise<void>;
}

export async function createPlatform(options: {
  processName: string;
  config: CommonServiceConfig;
  env: Record<string, string | undefined>;
  logger: Logger;
  /**
   * A bus the caller opened (the `make dev` launcher's durable PostgreSQL bus); the platform owns it
   * from then on and closes it. Default: Kafka from KAFKA_BROKERS, which must then be set and answer within KAFKA_START_TIMEOUT_SECONDS.
   */
  bus?: EventBus;
}): Promise<Platform> {
  const { processName, config, env, logger } = options;
  const registry = createMetricsRegistry({ process: processName });
  const bus = options.bus ?? (await connectKafka(processName, config, logger));
  const storage = createObjectStorage(loadStorageConfig(env), logger);
  await storage.ensureBucket();

  // Incomplete until the revocations made before this process started are loaded (the users
  // service applies them from its database, or startRevocationSync fetches them): no token is
  // accepted before, so a restart never brings a revoked token back to life.
  const revocations = new InMemoryRevocationList({ awaitSnapshot: true });
  const auth = createAuthenticator({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ...(config.JWT_PUBLIC_JWKS
      ? { publicKeys: config.JWT_PUBLIC_JWKS as never }
      : { jwksUrl: config.JWT_JWKS_URL }),
    revocations,
    logger,
  });
  // Subscribed before anything loads the snapshot: a revocation committed after the snapshot was
  // read is published after this point, so the feed delivers it (see startRevocationSnapshotLoader).
  const feed: Subscription = await startRevocationFeed({ bus, revocations, groupId: processName, logger });
  let loader: RevocationSnapshotLoader | undefined;
  let outageRefresh: PeriodicTask | undefined;

  const pools: Pool[] = [];
  return {
    logger,
    registry,
    bus,
    storage,
    auth,
    readiness: [
      // Degrades only: a request commits its event to its database's outbox, and the relay publishes
      // it when the broker is back. Failing readiness here would take every pod out of its Service
      // after 15 s of broker outage and refuse the requests the outbox was built to absorb.
      { name: 'event-bus', check: () => bus.ping(), degradesOnly: true },
      { name: 'object-storage', check: () => storage.ping() },
      { name: 'revocations', check: async () => revocations.complete },
    ],
    startRevocationSync(ownSource) {
      if (outageRefresh) return;
      // Resolved only when used: the users service (which passes ownSource) has no JWKS URL.
      const usersEndpoint = () => ({
        url: revocationsUrl(config),
        verify: (jws: string) => auth.verifyRevocationSnapshot(jws),
      });
      if (!revocations.complete) {
        loader = startRevocationSnapshotLoader({ ...usersEndpoint(), revocations, logger });
      }
      outageRefresh = startRevocationOutageRefresh({
        busAnswers: () => bus.ping(),
        load: ownSource ?? ((signal) => fetchRevocationSnapshot(usersEndpoint(), signal)),
        revocations,
        logger,
      });
    },
    async contextFor(name, databaseUrl) {
      if (config.DATABASE_CREATE) await ensureDatabase(databaseUrl);
      const pool = createPool(databaseUrl, { max: config.DATABASE_POOL_MAX, applicationName: name });
      pools.push(pool);
      return { name, logger: logger.child({ component: name }), registry, pool, bus, auth, storage, env };
    },
    async close() {
      loader?.close();
      await outageRefresh?.stop();
      await feed.close();
      await bus.close();
      await Promise.all(pools.map((p) => p.end()));
    },
  };
}

/**
 * Kafka from KAFKA_BROKERS, answering within KAFKA_START_TIMEOUT_SECONDS, or an error saying what
 * is missing. Fail closed: a service that cannot reach the broker would take requests whose events
 * never leave its outbox and miss every revocation, so it must not start half-connected.
 */
async function connectKafka(
  processName: string,
  config: CommonServiceConfig,
  logger: Logger,
): Promise<EventBus> {
  const brokers = config.KAFKA_BROKERS ?? [];
  if (brokers.length === 0) {
    throw new Error(
      'KAFKA_BROKERS is not set: a service started on its own needs the Kafka brokers (host:port, comma-separated); only `make dev` runs without Kafka',
    );
  }
  const bus = createEventBus({ kafkaBrokers: brokers, clientId: processName, logger });
  const timeoutMs = config.KAFKA_START_TIMEOUT_SECONDS * 1000;
  const deadline = Date.now() + timeoutMs;
  // ping() is bounded (a few seconds) and never throws; kafkajs keeps connecting in between.
  while (!(await bus.ping())) {
    if (Date.now() >= deadline) {
      // Not awaited: kafkajs may still be inside a connect retry, and the caller is about to exit.
      bus.close().catch(() => undefined);
      throw new Error(
        `Kafka did not answer within KAFKA_START_TIMEOUT_SECONDS=${config.KAFKA_START_TIMEOUT_SECONDS} at KAFKA_BROKERS=${brokers.join(',')}: refusing to start without the event bus`,
      );
    }
    await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())));
  }
  return bus;
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

/**
 * A service's outbox relay: its own database's outbox to the process's bus, with the backlog in
 * /metrics under the service's name (what MoocFlixEventsDelayed alerts on).
 */
export function outboxRelayFor(ctx: ServiceContext): OutboxRelay {
  return new OutboxRelay({
    pool: ctx.pool,
    bus: ctx.bus,
    logger: ctx.logger,
    metrics: { registry: ctx.registry, service: ctx.name },
  });
}
