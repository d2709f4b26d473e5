import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createTestDatabase, startKafka, stopKafka, waitFor } from '../../../../../e2e/stack/control';
import { createPool, runMigrations, withTransaction, type Pool } from '@moocflix/platform-db';
import type { IncomingMessage } from './bus';
import { KafkaEventBus } from './kafka-bus';
import { KIT_MIGRATIONS_DIR } from './index';
import { recordMessages } from '@moocflix/platform-testing';
import { enqueueEvent } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { Topics } from './topics';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const topic = Topics.CourseUpdate;

let pool: Pool;
let bus: KafkaEventBus;

beforeAll(async () => {
  pool = createPool(await createTestDatabase('outbox_outage'));
  await runMigrations(pool, KIT_MIGRATIONS_DIR);
  await pool.query('CREATE TABLE courses (id text PRIMARY KEY, version integer NOT NULL)');
  bus = new KafkaEventBus({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'outage-test', logger });
});
afterAll(async () => {
  // Whatever happened, leave a running broker to the next test file.
  await startKafka();
  await bus.close();
  await pool.end();
});

/** One course update: the business row and its event in one transaction, as a service does. */
async function updateCourse(courseId: string, version: number): Promise<string> {
  return withTransaction(pool, async (tx) => {
    await tx.query('INSERT INTO courses (id, version) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET version = $2', [courseId, version]);
    const event = await enqueueEvent(tx, topic, {
      source: 'courses',
      subject: courseId,
      data: { courseId, instructorId: 'i', title: 'Course', published: true, category: null, capacity: null, version, updatedAt: new Date().toISOString() },
    });
    return event.id;
  });
}

const eventId = (m: IncomingMessage): string => (JSON.parse(m.value) as { id: string }).id;

it('keeps accepting writes while Kafka is down, then publishes every event exactly once', async () => {
  const courseId = `course-${randomUUID()}`;
  const relay = new OutboxRelay({ pool, bus, logger, pollIntervalMs: 200, maxBackoffMs: 1_000 });
  await relay.start();
  // A consumer that lives through the outage: it must recover on its own too.
  const live = await recordMessages(bus, [topic]);
  try {
    // The producer is connected (and has its idempotent producer id) before the broker goes away.
    const warmUp = await updateCourse(courseId, 0);
    await waitFor(() => live.messages.some((m) => eventId(m) === warmUp), { timeoutMs: 15_000 });

    await stopKafka();
    expect(await bus.ping()).toBe(false);
    const ids: string[] = [];
    for (let version = 1; version <= 20; version++) {
      const started = Date.now();
      ids.push(await updateCourse(courseId, version));
      // The request path never waits for Kafka.
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    // The relay tried, failed, and kept the rows with the error.
    await waitFor(async () => {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM platform_outbox WHERE published_at IS NULL AND attempts > 0 AND last_error IS NOT NULL',
      );
      return rows[0]!.n > 0;
    }, { timeoutMs: 60_000, description: 'a failed publish to be recorded' });
    const stillQueued = await pool.query('SELECT 1 FROM platform_outbox WHERE published_at IS NULL');
    expect(stillQueued.rowCount).toBe(ids.length);

    await startKafka();
    await waitFor(() => ids.every((id) => live.messages.some((m) => eventId(m) === id)), {
      timeoutMs: 90_000,
      description: 'the live consumer to receive every event written during the outage',
    });
    await waitFor(async () => (await pool.query('SELECT 1 FROM platform_outbox WHERE published_at IS NULL')).rowCount === 0);
    expect(await bus.ping()).toBe(true);

    // Count what is really in the topic: a fresh group reads the partition from the start, up to a
    // marker published after everything else on the same key (so on the same partition, after it).
    const marker = await updateCourse(courseId, 21);
    const audit = await recordMessages(bus, [topic], 'earliest');
    try {
      await waitFor(() => audit.messages.some((m) => eventId(m) === marker), { timeoutMs: 30_000 });
      const copies = new Map<string, number>();
      for (const m of audit.messages.filter((m) => m.key === courseId)) copies.set(eventId(m), (copies.get(eventId(m)) ?? 0) + 1);
      for (const id of [warmUp, ...ids, marker]) expect({ id, copies: copies.get(id) }).toEqual({ id, copies: 1 });
      expect(copies.size).toBe(ids.length + 2);
      // And in commit order.
      expect(audit.messages.filter((m) => m.key === courseId).map(eventId)).toEqual([warmUp, ...ids, marker]);
    } finally {
      await audit.close();
    }
  } finally {
    await live.close();
    await relay.stop();
  }
}, 300_000);
