// Candidate of the courses benchmarks: the real courses service (JWT verification, use cases,
// transactions, transactional outbox with its relay) behind the kit's app factory, on the
// in-process bus: the bench measures the HTTP + JWT + transaction + outbox path, not Kafka.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator, InMemoryRevocationList } from '@moocflix/platform-http/auth';
import { createPool } from '@moocflix/platform-db';
import { InProcessEventBus } from '@moocflix/platform-bus';
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
  const service = await createCoursesService({
    name: 'courses',
    logger,
    registry,
    pool,
    bus: new InProcessEventBus({ logger }),
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
