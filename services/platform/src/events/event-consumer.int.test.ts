import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createTestDatabase, waitFor } from '../../../../e2e/stack/control';
import { createPool, runMigrations, type Pool, type PoolClient } from '../db';
import type { EventBus } from './bus';
import { createEvent, type CloudEvent } from './envelope';
import { DeadLetterHeaders } from './dead-letter';
import { createEventConsumer, type EventConsumer } from './event-consumer';
import { InProcessEventBus } from './in-process-bus';
import { KIT_MIGRATIONS_DIR } from './index';
import { KafkaEventBus } from './kafka-bus';
import { recordMessages } from '../testing/message-recorder';
import type { EventData } from './schemas';
import { deadLetterTopic, Topics } from './topics';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const topic = Topics.StudentEnrolled;
type Enrolled = CloudEvent<EventData<typeof topic>>;

let pool: Pool;

beforeAll(async () => {
  pool = createPool(await createTestDatabase('event_consumer'));
  await runMigrations(pool, KIT_MIGRATIONS_DIR);
  // No unique constraint on purpose: a second effect of the same event must show up as a second row.
  await pool.query(
    'CREATE TABLE enrollment_effects (id serial PRIMARY KEY, event_id text NOT NULL, student_id text NOT NULL)',
  );
});
afterAll(async () => {
  await pool.end();
});

/** An enrollment event; `key` is the course id, so one test's events share a partition and stay in order. */
function enrolled(courseId: string, studentId: string): Enrolled {
  return createEvent(topic, {
    source: 'courses',
    subject: courseId,
    data: {
      courseId,
      studentId,
      instructorId: 'instructor-1',
      status: 'active',
      enrolledAt: new Date().toISOString(),
    },
  });
}

const recordEffect = async (event: Enrolled, tx: PoolClient): Promise<void> => {
  await tx.query('INSERT INTO enrollment_effects (event_id, student_id) VALUES ($1, $2)', [
    event.id,
    event.data.studentId,
  ]);
};

async function effectsOf(eventId: string): Promise<number> {
  const { rowCount } = await pool.query('SELECT 1 FROM enrollment_effects WHERE event_id = $1', [eventId]);
  return rowCount ?? 0;
}

async function processedMarkers(groupId: string, eventId: string): Promise<number> {
  const { rowCount } = await pool.query(
    'SELECT 1 FROM platform_processed_events WHERE consumer_group = $1 AND event_id = $2',
    [groupId, eventId],
  );
  return rowCount ?? 0;
}

// The helper is bus-agnostic; it runs over Kafka in a cluster and over the in-process bus in `moocflix dev`.
describe.each([
  [
    'Kafka',
    () =>
      new KafkaEventBus({
        brokers: process.env.KAFKA_BROKERS!.split(','),
        clientId: 'consumer-test',
        logger,
        redeliveryDelayMs: 50,
      }),
  ],
  ['the in-process bus', () => new InProcessEventBus({ logger, redeliveryDelayMs: 20 })],
])('createEventConsumer over %s (real PostgreSQL)', (_name, makeBus: () => EventBus) => {
  let bus: EventBus;
  let deadLetters: Awaited<ReturnType<typeof recordMessages>>;
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    bus = makeBus();
    await bus.ensureTopics([topic, deadLetterTopic(topic)]);
    deadLetters = await recordMessages(bus, [deadLetterTopic(topic)]);
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await deadLetters.close();
    await bus.close();
  });

  const publish = (...events: Enrolled[]): Promise<void> =>
    bus.publish(events.map((e) => ({ topic, key: e.subject, value: JSON.stringify(e) })));
  const deadLettersOf = (courseId: string) => deadLetters.messages.filter((m) => m.key === courseId);

  async function startConsumer(
    handler: (event: Enrolled, tx: PoolClient) => Promise<void>,
    options: { groupId?: string; maxAttempts?: number; startFrom?: 'earliest' | 'latest' } = {},
  ): Promise<{ groupId: string; consumer: EventConsumer }> {
    const groupId = options.groupId ?? `consumer-test-${randomUUID()}`;
    const consumer = createEventConsumer({
      bus,
      pool,
      logger,
      groupId,
      handlers: { [topic]: handler },
      maxAttempts: options.maxAttempts ?? 3,
      retryDelayMs: 20,
      // By default only this test's messages: earlier tests' poison messages must not reach this group.
      startFrom: options.startFrom ?? 'latest',
    });
    consumers.push(consumer);
    await consumer.start();
    return { groupId, consumer };
  }

  it('applies an event delivered twice only once', async () => {
    const courseId = `course-${randomUUID()}`;
    const calls: string[] = [];
    const { groupId } = await startConsumer(async (event, tx) => {
      calls.push(event.id);
      await recordEffect(event, tx);
    });
    const event = enrolled(courseId, 'student-1');
    const after = enrolled(courseId, 'student-2');
    await publish(event, event, after);

    // In partition order: once `after` is applied, both copies of `event` went through.
    await waitFor(async () => (await effectsOf(after.id)) === 1, { timeoutMs: 20_000 });
    expect(await effectsOf(event.id)).toBe(1);
    expect(calls.filter((id) => id === event.id)).toHaveLength(1);
    expect(await processedMarkers(groupId, event.id)).toBe(1);
  });

  it('dead-letters an event whose handler keeps failing, with the error, and goes on with the next one', async () => {
    const courseId = `course-${randomUUID()}`;
    const poison = enrolled(courseId, 'student-poison');
    const next = enrolled(courseId, 'student-next');
    let poisonCalls = 0;
    const { groupId } = await startConsumer(
      async (event, tx) => {
        if (event.id === poison.id) {
          poisonCalls++;
          throw new Error('grade book unavailable');
        }
        await recordEffect(event, tx);
      },
      { maxAttempts: 3 },
    );
    await publish(poison, next);

    await waitFor(async () => (await effectsOf(next.id)) === 1, { timeoutMs: 20_000 });
    const [dead] = await waitFor(() => deadLettersOf(courseId).length > 0 && deadLettersOf(courseId));
    expect(JSON.parse(dead!.value)).toEqual(poison);
    expect(dead!.headers).toMatchObject({
      [DeadLetterHeaders.reason]: 'handler-failed',
      [DeadLetterHeaders.error]: 'grade book unavailable',
      [DeadLetterHeaders.topic]: topic,
      [DeadLetterHeaders.consumerGroup]: groupId,
      [DeadLetterHeaders.attempts]: '3',
    });
    expect(dead!.headers[DeadLetterHeaders.offset]).toMatch(/^\d+$/);
    expect(poisonCalls).toBe(3);
    expect(await processedMarkers(groupId, poison.id)).toBe(0);
  });

  it('dead-letters malformed messages without calling the handler', async () => {
    const courseId = `course-${randomUUID()}`;
    const valid = enrolled(courseId, 'student-ok');
    const invalidData = { ...enrolled(courseId, 'student-bad'), data: { courseId } };
    const calls: string[] = [];
    await startConsumer(async (event, tx) => {
      calls.push(event.id);
      await recordEffect(event, tx);
    });
    await bus.publish([
      { topic, key: courseId, value: 'this is not JSON' },
      { topic, key: courseId, value: JSON.stringify(invalidData) },
      { topic, key: courseId, value: JSON.stringify(valid) },
    ]);

    await waitFor(async () => (await effectsOf(valid.id)) === 1, { timeoutMs: 20_000 });
    const dead = await waitFor(() => deadLettersOf(courseId).length === 2 && deadLettersOf(courseId));
    expect(dead.map((m) => m.value)).toEqual(['this is not JSON', JSON.stringify(invalidData)]);
    for (const m of dead) {
      expect(m.headers[DeadLetterHeaders.reason]).toBe('malformed');
      expect(m.headers[DeadLetterHeaders.error]).toBeTruthy();
    }
    expect(calls).toEqual([valid.id]);
  });

  it('rolls back a failed attempt entirely: no effect, no processed marker', async () => {
    const courseId = `course-${randomUUID()}`;
    const event = enrolled(courseId, 'student-half-done');
    const { groupId } = await startConsumer(
      async (e, tx) => {
        await recordEffect(e, tx);
        throw new Error('failed after writing');
      },
      { maxAttempts: 2 },
    );
    await publish(event);

    await waitFor(() => deadLettersOf(courseId).length > 0, { timeoutMs: 20_000 });
    expect(await effectsOf(event.id)).toBe(0);
    expect(await processedMarkers(groupId, event.id)).toBe(0);
  });

  it('leaves an event it was still retrying at stop() to the next consumer of its group', async () => {
    const courseId = `course-${randomUUID()}`;
    const event = enrolled(courseId, 'student-retried');
    const groupId = `consumer-test-${randomUUID()}`;
    let failedAttempts = 0;
    // 'earliest', so that the group starts over where it acknowledged nothing; it also replays
    // earlier tests' events, which simply succeed here.
    const first = await startConsumer(
      async (e, tx) => {
        if (e.id !== event.id) return recordEffect(e, tx);
        failedAttempts++;
        throw new Error('dependency down');
      },
      { groupId, maxAttempts: 1_000, startFrom: 'earliest' },
    );
    await publish(event);
    await waitFor(() => failedAttempts >= 2, { timeoutMs: 20_000 });
    await first.consumer.stop();

    await startConsumer(recordEffect, { groupId, startFrom: 'earliest' });
    await waitFor(async () => (await effectsOf(event.id)) === 1, { timeoutMs: 30_000 });
    expect(deadLettersOf(courseId)).toHaveLength(0);
  });
});
