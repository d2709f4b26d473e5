import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Pool } from './pool';

// Any constant works; it only has to be the same for every process migrating the same database.
const MIGRATION_LOCK_KEY = 7_346_221_001;

/**
 * Applies the plain-SQL files of each of `dirs` (in the order given; within a folder in file-name
 * order: `001_create_users.sql`, ...). The kit's own tables (outbox, processed events) come first
 * from its folder, with names prefixed `platform_` so they never clash with a service's. Each file
 * runs in its own transaction together with its row in `schema_migrations`, so a failing file
 * leaves nothing half-applied and is retried on the next start. A session advisory lock makes two
 * replicas starting at once take turns; running it again applies nothing.
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
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    for (const { name: file, path } of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path, 'utf8');
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
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
