import { z } from 'zod';
import { env, loadConfig } from '@moocflix/platform-core/config';

/** The notifications service's own settings (the kit reads the common ones); defaults serve `make dev`. */
export const notificationsConfigSchema = z.object({
  /**
   * Notifications older than this are deleted, read or not: an inbox is news, not an archive. At
   * least 31 days: a redelivered event is kept from notifying twice both by the consumer's
   * processed-event ids (kept 30 days) and by the notification itself (unique per event and
   * recipient); the two guards must overlap.
   */
  NOTIFICATION_RETENTION_DAYS: env.int(180, 31),
  /** How often expired notifications are looked for. */
  NOTIFICATION_RETENTION_SWEEP_INTERVAL_MS: env.int(60 * 60_000, 100),
});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;

export const loadNotificationsConfig = (source: Record<string, string | undefined>): NotificationsConfig =>
  loadConfig(notificationsConfigSchema, source);
