import { randomUUID } from 'node:crypto';
import { createTestDatabase, waitFor } from '../../../e2e/stack/control';
import { createPool, runMigrations, type Pool } from '@moocflix/platform-db';
import { KIT_MIGRATIONS_DIR } from '@moocflix/platform-bus';
import { createLogger } from '@moocflix/platform-core/log';
import { createObjectStorage, loadStorageConfig, type ObjectStorage } from '@moocflix/platform-storage';
import { schedulePurge } from '../src/data/storage-purge-repository';
import { StoragePurger } from '../src/domain/storage-purger';
import { CONTENT_MIGRATIONS_DIR } from '../src/service';

// The purger on its own, against the stack's real PostgreSQL and S3 server. The storage-cleanup
// tests cover when purges are scheduled; these cover what the purger does when deleting fails.

let pool: Pool;
let storage: ObjectStorage;
const logger = createLogger('storage-purger-test', process.env.TEST_LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  pool = createPool(await createTestDatabase('content_storage_purger'));
  await runMigrations(pool, [KIT_MIGRATIONS_DIR, CONTENT_MIGRATIONS_DIR], logger);
  storage = createObjectStorage(loadStorageConfig(process.env));
  await storage.ensureBucket();
});
afterAll(async () => {
  await pool?.end();
});

/**
 * The real storage, except that deletePrefix throws whatever `failure(prefix, call)` returns (call
 * counts from 1): an S3 outage or a permission error as the purger sees it, without taking down
 * the server other test files use.
 */
function withFailingDeletes(
  real: ObjectStorage,
  failure: (prefix: string, call: number) => Error | undefined,
): ObjectStorage & { deleteCalls: number } {
  let calls = 0;
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property === 'deleteCalls') return calls;
      if (property === 'deletePrefix') {
        return async (prefix: string) => {
          const error = failure(prefix, ++calls);
          if (error) throw error;
          return target.deletePrefix(prefix);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as ObjectStorage & { deleteCalls: number };
}

async function purgeRow(
  prefix: string,
): Promise<{ attempts: number; last_error: string | null } | undefined> {
  const { rows } = await pool.query('SELECT attempts, last_error FROM storage_purges WHERE prefix = $1', [
    prefix,
  ]);
  return rows[0];
}

async function folderWithObjects(): Promise<string> {
  const prefix = `purger-test/${randomUUID()}/`;
  await storage.put(`${prefix}source`, 'source bytes');
  await storage.put(`${prefix}hls/run-1/master.m3u8`, '#EXTM3U\n');
  return prefix;
}

it('keeps a purge whose deletion failed, records the error, and retries it with backoff until it succeeds', async () => {
  const prefix = await folderWithObjects();
  await schedulePurge(pool, prefix, 'test');
  const flaky = withFailingDeletes(storage, (_prefix, call) =>
    call <= 2 ? new Error(`S3 unavailable (injected failure ${call})`) : undefined,
  );
  const purger = new StoragePurger({
    pool,
    storage: flaky,
    logger,
    sweepIntervalMs: 100,
    firstRetryDelayMs: 300,
  });
  const startedAt = Date.now();
  purger.start();
  try {
    // After the first failure: still scheduled, the error kept for whoever looks, objects untouched.
    const failed = await waitFor(
      async () => {
        const row = await purgeRow(prefix);
        expect(row?.last_error).toMatch(/injected failure/);
        return row!;
      },
      { timeoutMs: 10_000 },
    );
    expect(failed.attempts).toBeGreaterThanOrEqual(1);
    expect((await storage.list(prefix)).length).toBe(2);

    // Third attempt succeeds: the row is gone and so are the objects.
    await waitFor(async () => expect(await purgeRow(prefix)).toBeUndefined(), { timeoutMs: 15_000 });
    expect(await storage.list(prefix)).toEqual([]);
    expect(flaky.deleteCalls).toBe(3);
    // Backoff, not a tight loop: 300 ms then 600 ms between the attempts.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
  } finally {
    await purger.stop();
  }
});

it('leaves other purges going while one keeps failing', async () => {
  const stuck = await folderWithObjects();
  const fine = await folderWithObjects();
  await schedulePurge(pool, stuck, 'test');
  await schedulePurge(pool, fine, 'test');
  const selective = withFailingDeletes(storage, (prefix) =>
    prefix === stuck ? new Error('AccessDenied (injected)') : undefined,
  );
  const purger = new StoragePurger({
    pool,
    storage: selective,
    logger,
    sweepIntervalMs: 100,
    firstRetryDelayMs: 200,
  });
  purger.start();
  try {
    await waitFor(async () => expect(await purgeRow(fine)).toBeUndefined(), { timeoutMs: 10_000 });
    expect(await storage.list(fine)).toEqual([]);
    await waitFor(async () => expect((await purgeRow(stuck))?.attempts).toBeGreaterThanOrEqual(2), {
      timeoutMs: 10_000,
    });
    expect((await purgeRow(stuck))?.last_error).toMatch(/AccessDenied/);
    expect((await storage.list(stuck)).length).toBe(2);
  } finally {
    await purger.stop();
    await pool.query('DELETE FROM storage_purges WHERE prefix = $1', [stuck]);
    await storage.deletePrefix(stuck);
  }
});
