import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createTestDatabase, waitFor } from '../../../../../e2e/stack/control';
import { createPool, runMigrations, withTransaction, type Pool } from '@moocflix/platform-db';
import { scrapedValue } from '@moocflix/platform-testing';
import { KafkaEventBus } from './kafka-bus';
import { KIT_MIGRATIONS_DIR } from './index';
import { enqueueEvent } from './outbox';
import { reportOutboxBacklog } from './outbox-metrics';
import { OutboxRelay } from './outbox-relay';
import { Topics } from './topics';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let pool: Pool;
let bus: KafkaEventBus;

beforeAll(async () => {
  pool = createPool(await createTestDatabase('outbox_metrics'));
  await runMigrations(pool, KIT_MIGRATIONS_DIR);
  bus = new KafkaEventBus({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    clientId: 'outbox-metrics-test',
    logger,
  });
});
afterAll(async () => {
  await bus.close();
  await pool.end();
});

/** The value of `name` for `service` in the registry's scrape, or undefined when it has no such series. */
async function scraped(registry: Registry, name: string, service: string): Promise<number | undefined> {
  return scrapedValue(await registry.metrics(), name, { service });
}

async function enqueue(count: number): Promise<void> {
  await withTransaction(pool, async (tx) => {
    for (let i = 0; i < count; i++) {
      const courseId = `course-${randomUUID()}`;
      await enqueueEvent(tx, Topics.CourseUpdate, {
        source: 'courses',
        subject: courseId,
        data: {
          courseId,
          instructorId: 'i',
          title: 'Course',
          published: true,
          category: null,
          capacity: null,
          version: 1,
          updatedAt: new Date().toISOString(),
        },
      });
    }
  });
}

it("reports the events waiting in the outbox and the oldest one's age, and both fall to 0 once published", async () => {
  const registry = new Registry();
  const relay = new OutboxRelay({
    pool,
    bus,
    logger,
    pollIntervalMs: 200,
    metrics: { registry, service: 'courses' },
  });
  expect(await scraped(registry, 'moocflix_outbox_pending_events', 'courses')).toBe(0);
  expect(await scraped(registry, 'moocflix_outbox_oldest_pending_age_seconds', 'courses')).toBe(0);

  // Not relayed yet, as while the broker is down: they wait, and the oldest ages.
  await enqueue(3);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await scraped(registry, 'moocflix_outbox_pending_events', 'courses')).toBe(3);
  const age = await scraped(registry, 'moocflix_outbox_oldest_pending_age_seconds', 'courses');
  expect(age).toBeGreaterThanOrEqual(1.4);
  expect(age).toBeLessThan(60);

  await relay.start();
  try {
    await waitFor(async () => (await scraped(registry, 'moocflix_outbox_pending_events', 'courses')) === 0, {
      timeoutMs: 30_000,
      description: 'the relay to publish the backlog',
    });
    expect(await scraped(registry, 'moocflix_outbox_oldest_pending_age_seconds', 'courses')).toBe(0);
  } finally {
    await relay.stop();
  }
});

it('a service whose database does not answer is left out of the scrape; the others are still reported', async () => {
  const registry = new Registry();
  reportOutboxBacklog({ registry, service: 'courses', pool, logger });
  const gone = createPool(await createTestDatabase('outbox_metrics_gone'));
  await gone.end();
  reportOutboxBacklog({ registry, service: 'content', pool: gone, logger });

  expect(await scraped(registry, 'moocflix_outbox_pending_events', 'courses')).toBe(0);
  expect(await scraped(registry, 'moocflix_outbox_pending_events', 'content')).toBeUndefined();
  expect(await scraped(registry, 'moocflix_outbox_oldest_pending_age_seconds', 'content')).toBeUndefined();
});
