import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Pool } from './pool';

// Any constant works; it only has to be the same for every process migrating the same database.
const MIGRATION_LOCK_KEY = 7_346_221_001;

/** First line of a migration that must run outside a transaction (CREATE INDEX CONCURRENTLY). */
export const NO_TRANSACTION_MARKER = '-- moocflix:no-transaction';

/**
 * Applies the plain-SQL files of each of `dirs` (in the order given; within a folder in file-name
 * order: `001_create_users.sql`, ...). The kit's own tables (outbox, processed events) come first
 * from its folder, with names prefixed `platform_` so they never clash with a service's. Each file
 * runs in its own transaction together with its row in `schema_migrations`, so a failing file
 * leaves nothing half-applied and is retried on the next start. A session advisory lock makes two
 * replicas starting at once take turns; running it again applies nothing.
 *
 * A file whose first line is `-- moocflix:no-transaction` runs outside a transaction, one statement
 * at a time (statements end with a semicolon at the end of a line), then gets its row: for CREATE
 * INDEX CONCURRENTLY on a big table, which PostgreSQL refuses inside a transaction and which does
 * not block writers. Such a file must be safe to run again from the top, since a failure leaves the
 * statements before it applied: e.g. DROP INDEX CONCURRENTLY IF EXISTS first (a failed concurrent
 * build leaves an INVALID index behind), then CREATE INDEX CONCURRENTLY.
 */
export async function runMigrations(pool: Pool, dirs: string | string[], logger?: Logger): Promise<string[]> {
  const files: { name: string; path: string }[] = [];
  for (const dir of Array.isArray(dirs) ? dirs : [dirs]) {
    const names = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
    files.push(...names.map((name) => ({ name, path: join(dir, name) })));
  }
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    for (const { name: file, path } of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path, 'utf8');
      try {
        if (sql.startsWith(NO_TRANSACTION_MARKER)) {
          for (const statement of splitStatements(sql)) await client.query(statement);
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        } else {
          await client.query('BEGIN');
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
          await client.query('COMMIT');
        }
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`Migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file);
      logger?.info({ migration: file }, 'migration applied');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}

/**
 * The statements of a no-transaction migration: each ends with a semicolon at the end of a line.
 * Sent one by one because PostgreSQL runs a multi-statement query string as one implicit
 * transaction, where CONCURRENTLY is refused. Comment lines are dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    if (line.trim().startsWith('--') || (current.length === 0 && line.trim() === '')) continue;
    current.push(line);
    if (line.trimEnd().endsWith(';')) {
      statements.push(current.join('\n').trim());
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest) statements.push(rest);
  return statements;
}
