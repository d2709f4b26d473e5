import { createLogger } from '@moocflix/platform-core/log';
import {
  createHttpApp,
  httpLimitsFromConfig,
  KEEP_ALIVE_DRAIN_MS,
  startHttpServer,
  type ServiceModule,
} from '@moocflix/platform-http';
import { tracing } from '@moocflix/platform-telemetry/instrument';
import type { ServiceContext } from './context';
import { createPlatform } from './platform';
import { installProcessGuard } from '@moocflix/platform-core/process';
import { loadCommonServiceConfig, type CommonServiceConfig } from './service-config';

/**
 * The composition root every service's `src/main.ts` calls: read and validate config, build the
 * shared infrastructure, build the service, serve HTTP, start background work, and shut down in
 * reverse order on SIGTERM (stop accepting → drain → stop consumers/relay → close bus and pools).
 */
export async function runStandalone(options: {
  name: string;
  defaultPort: number;
  create: (ctx: ServiceContext) => Promise<ServiceModule>;
}): Promise<void> {
  const env = process.env;
  let config: CommonServiceConfig;
  try {
    config = loadCommonServiceConfig(options.name, options.defaultPort, env);
  } catch (err) {
    // No logger yet (LOG_LEVEL may be the bad value): plain stderr, and the orchestrator's status.
    console.error(`${options.name} failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const logger = createLogger(options.name, config.LOG_LEVEL);
  // Before anything can float a promise: an unexpected error ends the process (logged, counted).
  const guard = installProcessGuard({ logger, name: options.name, beforeExit: () => tracing.shutdown() });
  try {
    // Started on import; a main.ts that imports '@moocflix/platform-telemetry/instrument' first gets every module traced.
    // No KAFKA_BROKERS, or brokers that do not answer within KAFKA_START_TIMEOUT_SECONDS: refused
    // here (fail closed), never a fallback to an in-process bus that no other service shares.
    const platform = await createPlatform({ processName: options.name, config, env, logger });
    guard.registerMetrics(platform.registry);
    const service = await options.create(await platform.contextFor(options.name, config.DATABASE_URL));
    // The users service has applied the revocations from its own database while being created;
    // every other service fetches them now. Until they are loaded every token gets 503 and /readyz
    // reports `revocations` failing, so no request is served on an incomplete list. While the bus
    // does not answer, they are re-read from the same source (users: its own database).
    platform.startRevocationSync(service.revocationsInForce);
    const app = createHttpApp({
      logger,
      registry: platform.registry,
      services: [service],
      readiness: platform.readiness,
      jsonLimit: config.JSON_BODY_LIMIT,
      limits: httpLimitsFromConfig(config),
      trustedProxies: config.TRUSTED_PROXIES,
    });
    await startHttpServer({
      app,
      port: config.PORT,
      host: config.HOST,
      logger,
      handleSignals: true,
      // Keep-alive clients are told to reconnect (to another pod) before idle connections close.
      keepAliveDrainMs: KEEP_ALIVE_DRAIN_MS,
      limits: httpLimitsFromConfig(config),
      onClose: async () => {
        await service.stop();
        await platform.close();
        await tracing.shutdown();
      },
    });
    await service.start();
    logger.info({ port: config.PORT }, `${options.name} ready`);
  } catch (err) {
    // The reason in the message itself, so `kubectl logs` of the crash loop says what is missing.
    logger.fatal(
      { err },
      `${options.name} failed to start: ${err instanceof Error ? err.message : String(err)}`,
    );
    logger.flush(() => process.exit(1));
  }
}
