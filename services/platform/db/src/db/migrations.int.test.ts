import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../../../../e2e/stack/control';
import { createPool, runMigrations, type Pool } from './index';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-test-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

const tables = async (pool: Pool): Promise<string[]> =>
  (await pool.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.name);
const appliedNames = async (pool: Pool): Promise<string[]> =>
  (await pool.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);

describe('runMigrations (real PostgreSQL)', () => {
  let pool: Pool;
  const dirs: string[] = [];
  beforeEach(async () => {
    pool = createPool(await createTestDatabase('migrations'));
  });
  afterEach(async () => {
    await pool.end();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('applies folders in the given order, files in name order, and nothing on a second run', async () => {
    const kit = migrationsDir({ 'platform_001_a.sql': 'CREATE TABLE kit_a (id int)' });
    const own = migrationsDir({
      '002_second.sql': 'ALTER TABLE first ADD COLUMN b int',
      '001_first.sql': 'CREATE TABLE first (a int)',
      'README.md': 'not a migration',
    });
    dirs.push(kit, own);

    expect(await runMigrations(pool, [kit, own])).toEqual(['platform_001_a.sql', '001_first.sql', '002_second.sql']);
    expect(await runMigrations(pool, [kit, own])).toEqual([]);
    expect(await tables(pool)).toEqual(['first', 'kit_a', 'schema_migrations']);
    const columns = await pool.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'first' ORDER BY 1");
    expect(columns.rows.map((r) => r.column_name)).toEqual(['a', 'b']);
  });

  it('leaves nothing of a failing file: no partial schema, no schema_migrations row; earlier files stay', async () => {
    const dir = migrationsDir({
      '001_ok.sql': 'CREATE TABLE ok (id int)',
      '002_broken.sql': 'CREATE TABLE half (id int); INSERT INTO ok VALUES (1); SELECT * FROM no_such_table;',
    });
    dirs.push(dir);

    await expect(runMigrations(pool, dir)).rejects.toThrow(/002_broken\.sql/);
    expect(await tables(pool)).toEqual(['ok', 'schema_migrations']);
    expect(await appliedNames(pool)).toEqual(['001_ok.sql']);
    expect((await pool.query('SELECT 1 FROM ok')).rowCount).toBe(0);

    // Fixed, it is applied on the next start.
    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE half (id int)');
    expect(await runMigrations(pool, dir)).toEqual(['002_broken.sql']);
  });

  it('lets two processes migrate one database at once: each file applied exactly once', async () => {
    const dir = migrationsDir({ '001_t.sql': 'CREATE TABLE t (id int)', '002_u.sql': 'CREATE TABLE u (id int)' });
    dirs.push(dir);
    const other = createPool((pool.options as { connectionString: string }).connectionString);
    try {
      const [a, b] = await Promise.all([runMigrations(pool, dir), runMigrations(other, dir)]);
      expect([...a, ...b].sort()).toEqual(['001_t.sql', '002_u.sql']);
    } finally {
      await other.end();
    }
  });

  describe('a no-transaction migration', () => {
    const indexes = async (): Promise<{ name: string; valid: boolean }[]> =>
      (
        await pool.query<{ name: string; valid: boolean }>(
          `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relname LIKE 'big_%' ORDER BY 1`,
        )
      ).rows;

    it('builds an index CONCURRENTLY (refused inside a transaction) and records the file', async () => {
      const dir = migrationsDir({
        '001_big.sql': 'CREATE TABLE big (id int, at timestamptz); INSERT INTO big SELECT i, now() FROM generate_series(1, 1000) i;',
        '002_big_by_at.sql': [
          '-- moocflix:no-transaction',
          '-- a comment line; and a statement over two lines below',
          'DROP INDEX CONCURRENTLY IF EXISTS big_by_at;',
          'CREATE INDEX CONCURRENTLY big_by_at',
          '  ON big (at);',
        ].join('\n'),
      });
      dirs.push(dir);
      expect(await runMigrations(pool, dir)).toEqual(['001_big.sql', '002_big_by_at.sql']);
      expect(await indexes()).toEqual([{ name: 'big_by_at', valid: true }]);
      expect(await runMigrations(pool, dir)).toEqual([]);

      // Without the marker the same file fails: the runner really ran it outside a transaction.
      const plain = migrationsDir({
        '003_big_by_id.sql': 'CREATE INDEX CONCURRENTLY big_by_id ON big (id);',
      });
      dirs.push(plain);
      await expect(runMigrations(pool, plain)).rejects.toThrow(/transaction block/);
    });

    it('is not recorded when a statement fails, and runs again from the top once fixed', async () => {
      const dir = migrationsDir({
        '001_big.sql': 'CREATE TABLE big (id int, email text); INSERT INTO big VALUES (1, \'a\'), (2, \'a\');',
        // The unique build fails on the duplicate: PostgreSQL leaves an INVALID index behind.
        '002_big_email.sql': [
          '-- moocflix:no-transaction',
          'DROP INDEX CONCURRENTLY IF EXISTS big_email;',
          'CREATE UNIQUE INDEX CONCURRENTLY big_email ON big (email);',
        ].join('\n'),
      });
      dirs.push(dir);
      await expect(runMigrations(pool, dir)).rejects.toThrow(/002_big_email\.sql/);
      expect(await appliedNames(pool)).toEqual(['001_big.sql']);
      expect(await indexes()).toEqual([{ name: 'big_email', valid: false }]);

      await pool.query("UPDATE big SET email = 'b' WHERE id = 2");
      expect(await runMigrations(pool, dir)).toEqual(['002_big_email.sql']);
      expect(await indexes()).toEqual([{ name: 'big_email', valid: true }]);
    });
  });
});
