import { createLogger } from '../log';
import { createHttpApp, startHttpServer, type ServiceModule } from '../http';
import { tracing } from '../instrument';
import type { ServiceContext } from './context';
import { createPlatform } from './platform';
import { loadCommonServiceConfig } from './service-config';

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
  const config = loadCommonServiceConfig(options.name, options.defaultPort, env);
  const logger = createLogger(options.name, config.LOG_LEVEL);
  try {
    // Started on import; a main.ts that imports '@moocflix/platform/instrument' first gets every module traced.
    const platform = await createPlatform({ processName: options.name, config, env, logger });
    const service = await options.create(await platform.contextFor(options.name, config.DATABASE_URL));
    const app = createHttpApp({
      logger,
      registry: platform.registry,
      services: [service],
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
        await service.stop();
        await platform.close();
        await tracing.shutdown();
      },
    });
    await service.start();
    logger.info({ port: config.PORT }, `${options.name} ready`);
  } catch (err) {
    logger.fatal({ err }, `${options.name} failed to start`);
    process.exit(1);
  }
}
