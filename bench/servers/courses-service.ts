// Candidate of the courses benchmarks: the real courses service (JWT verification, use cases,
// transactions, transactional outbox with its relay) behind the kit's app factory, publishing to
// make dev's durable PostgreSQL bus (BUS_DATABASE_URL, on the bench's server): the bench measures
// the HTTP + JWT + transaction + outbox path, not a broker. Not the in-process bus: it keeps every
// message in memory for the process's life (it is for unit tests), a cost no deployment pays:
// a run's ~150,000 events would be the heap the collector keeps copying and marking.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator, InMemoryRevocationList } from '@moocflix/platform-http/auth';
import { createPool } from '@moocflix/platform-db';
import { PostgresEventBus } from '@moocflix/platform-bus';
import { createHttpApp, startHttpServer } from '@moocflix/platform-http';
import { createLogger } from '@moocflix/platform-core/log';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';
import { LocalDiskObjectStorage } from '@moocflix/platform-storage';
import { TEST_AUDIENCE, TEST_ISSUER } from '@moocflix/platform-testing';
import { createCoursesService } from '@moocflix/courses/service';

async function main(): Promise<void> {
  const logger = createLogger('courses', process.env.LOG_LEVEL ?? 'warn');
  const registry = createMetricsRegistry();
  // The courses service stores no objects; the context still needs a storage, so an empty temp dir.
  const storageDir = mkdtempSync(join(tmpdir(), 'courses-bench-storage-'));
  const pool = createPool(process.env.DATABASE_URL!, { max: 10, applicationName: 'courses' });
  const auth = createAuthenticator({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    publicKeys: JSON.parse(process.env.JWT_PUBLIC_JWKS!),
    revocations: new InMemoryRevocationList(),
    logger,
  });
  const bus = await PostgresEventBus.open({
    databaseUrl: process.env.BUS_DATABASE_URL!,
    createDatabase: true,
    logger,
  });
  const service = await createCoursesService({
    name: 'courses',
    logger,
    registry,
    pool,
    bus,
    auth,
    storage: new LocalDiskObjectStorage({ rootDir: storageDir }),
    env: {},
  });
  const app = createHttpApp({ logger, registry, services: [service] });
  const { url } = await startHttpServer({
    app,
    port: 0,
    host: '127.0.0.1',
    logger,
    handleSignals: true,
    onClose: async () => {
      await service.stop();
      await bus.close();
      await pool.end();
      rmSync(storageDir, { recursive: true, force: true });
    },
  });
  await service.start();
  console.log(`LISTENING ${url}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
