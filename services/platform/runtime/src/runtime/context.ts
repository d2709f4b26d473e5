import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Authenticator } from '@moocflix/platform-http/auth';
import type { Pool } from '@moocflix/platform-db';
import type { EventBus } from '@moocflix/platform-bus';
import type { ObjectStorage } from '@moocflix/platform-storage';

/**
 * What the composition root hands to a service factory (`createUsersService(ctx)` etc.). The same
 * factory runs standalone (the service's own main.ts, one per container) and inside the
 * one-process launcher (`make dev`), and in API tests started in-process.
 */
export interface ServiceContext {
  /** e.g. 'users'; used for the CloudEvents source, consumer group ids and logs. */
  name: string;
  logger: Logger;
  registry: Registry;
  /** A pool on the service's OWN database (database-per-service); the factory runs its migrations. */
  pool: Pool;
  bus: EventBus;
  auth: Authenticator;
  storage: ObjectStorage;
  /** The service reads its own extra settings from here with loadConfig (defaults serve `make dev`). */
  env: Record<string, string | undefined>;
}
