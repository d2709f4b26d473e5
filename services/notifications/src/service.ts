import { join } from 'node:path';
import { Router } from 'express';
import { runMigrations } from '@moocflix/platform-db';
import { KIT_MIGRATIONS_DIR } from '@moocflix/platform-bus';
import type { ServiceModule } from '@moocflix/platform-http';
import { databaseReadiness, type ServiceContext } from '@moocflix/platform-runtime';
import type { UseCaseContext } from './domain/use-case-context';
import { notificationRetention } from './domain/notification-retention';
import { createNotificationEventsConsumer } from './events/notification-events-consumer';
import { inboxRoutes } from './http/inbox-routes';
import { loadNotificationsConfig } from './notifications-config';
import { notificationsOpenApi } from './openapi';

export const NOTIFICATIONS_BASE_PATH = '/api/v1/notifications';
const MIGRATIONS_DIR = join(__dirname, '../migrations');

/**
 * Notifications: a per-user inbox filled from other services' events. It produces no
 * events, so it has no outbox relay; the kit's migrations still give it the processed-events table.
 */
export async function createNotificationsService(ctx: ServiceContext): Promise<ServiceModule> {
  const config = loadNotificationsConfig(ctx.env);
  await runMigrations(ctx.pool, [KIT_MIGRATIONS_DIR, MIGRATIONS_DIR], ctx.logger);
  const useCases: UseCaseContext = { pool: ctx.pool, now: () => new Date() };
  const events = createNotificationEventsConsumer(ctx, useCases.now);
  const retention = notificationRetention({
    pool: ctx.pool,
    logger: ctx.logger,
    now: useCases.now,
    retentionDays: config.NOTIFICATION_RETENTION_DAYS,
    sweepIntervalMs: config.NOTIFICATION_RETENTION_SWEEP_INTERVAL_MS,
  });

  const router = Router();
  router.use(inboxRoutes(useCases, ctx.auth));

  return {
    name: ctx.name,
    basePath: NOTIFICATIONS_BASE_PATH,
    router,
    openapi: notificationsOpenApi,
    readiness: [databaseReadiness(ctx.pool)],
    async start() {
      await events.start();
      retention.start();
    },
    async stop() {
      await retention.stop();
      await events.stop();
    },
  };
}
