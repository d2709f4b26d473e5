import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createTestDatabase, waitFor } from '../../../../../e2e/stack/control';
import { createPool, runMigrations, type Pool, type PoolClient } from '@moocflix/platform-db';
import type { EventBus } from './bus';
import { createEvent, type CloudEvent } from './envelope';
import { DeadLetterHeaders } from './dead-letter';
import { createEventConsumer, type EventConsumer, type HandlerContext } from './event-consumer';
import { InProcessEventBus } from './in-process-bus';
import { KIT_MIGRATIONS_DIR } from './index';
import { KafkaEventBus } from './kafka-bus';
import { recordMessages } from '@moocflix/platform-testing';
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
    handler: (event: Enrolled, tx: PoolClient, context: HandlerContext) => Promise<void>,
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

  it('runs afterCommit callbacks once the effect is committed, never for a rolled-back attempt', async () => {
    const courseId = `course-${randomUUID()}`;
    const event = enrolled(courseId, 'student-after-commit');
    let attempts = 0;
    // What a callback sees from another connection: the effect must be there already.
    const seenByCallbacks: Promise<number>[] = [];
    await startConsumer(
      async (e, tx, { afterCommit }) => {
        if (e.id !== event.id) return;
        attempts++;
        await recordEffect(e, tx);
        afterCommit(() => seenByCallbacks.push(effectsOf(e.id)));
        if (attempts === 1) throw new Error('first attempt fails after asking for a callback');
      },
      { maxAttempts: 3 },
    );
    await publish(event);

    await waitFor(async () => (await effectsOf(event.id)) === 1, { timeoutMs: 20_000 });
    await waitFor(() => seenByCallbacks.length === 1, { timeoutMs: 5_000 });
    expect(attempts).toBe(2);
    expect(await Promise.all(seenByCallbacks)).toEqual([1]);
  });

  it('keeps an event processed when its afterCommit callback throws', async () => {
    const courseId = `course-${randomUUID()}`;
    const event = enrolled(courseId, 'student-callback-throws');
    let callbacks = 0;
    const { groupId } = await startConsumer(async (e, tx, { afterCommit }) => {
      await recordEffect(e, tx);
      afterCommit(() => {
        if (e.id === event.id) callbacks++;
        throw new Error('wake-up failed');
      });
    });
    await publish(event);

    await waitFor(() => callbacks === 1, { timeoutMs: 20_000 });
    expect(await processedMarkers(groupId, event.id)).toBe(1);
    expect(await effectsOf(event.id)).toBe(1);
    expect(deadLettersOf(courseId)).toEqual([]);
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

describe('createEventConsumer: retention of processed event ids (real PostgreSQL, in-process bus)', () => {
  const HOUR = 60 * 60_000;
  let bus: EventBus;
  const consumers: EventConsumer[] = [];

  beforeAll(() => {
    bus = new InProcessEventBus({ logger, redeliveryDelayMs: 20 });
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await bus.close();
  });

  async function startConsumer(groupId: string, log = logger): Promise<void> {
    const consumer = createEventConsumer({
      bus,
      pool,
      logger: log,
      groupId,
      handlers: { [topic]: recordEffect },
      startFrom: 'latest',
      processedRetentionMs: HOUR,
      processedSweepIntervalMs: 50,
    });
    consumers.push(consumer);
    await consumer.start();
  }

  /** A logger that keeps what it logs, from `level` up. */
  function captureLogs(level: 'info' | 'warn'): {
    log: pino.Logger;
    entries: { msg: string; rows?: number; task?: string }[];
  } {
    const entries: { msg: string; rows?: number; task?: string }[] = [];
    const log = pino({ level }, { write: (line: string) => void entries.push(JSON.parse(line)) });
    return { log, entries };
  }

  /** `count` processed rows of `groupId`, ids `<prefix><n>`, processed `age` ago. */
  async function insertProcessed(groupId: string, prefix: string, count: number, age: string): Promise<void> {
    await pool.query(
      `INSERT INTO platform_processed_events (consumer_group, event_id, processed_at)
       SELECT $1, $2 || i, now() - $4::interval FROM generate_series(1, $3::int) i`,
      [groupId, prefix, count, age],
    );
  }

  async function countProcessed(groupId: string, prefix: string): Promise<number> {
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM platform_processed_events WHERE consumer_group = $1 AND event_id LIKE $2',
      [groupId, `${prefix}%`],
    );
    return rows[0]!.n;
  }

  it("deletes exactly its own group's ids older than the retention, in chunks, and keeps sweeping", async () => {
    const groupId = `retention-${randomUUID()}`;
    const otherGroup = `retention-other-${randomUUID()}`;
    // More than two chunks of 10,000, so the sweep has to loop.
    await insertProcessed(groupId, 'old-', 25_000, '2 hours');
    await insertProcessed(groupId, 'recent-', 3, '50 minutes');
    await insertProcessed(otherGroup, 'old-', 5, '2 hours');
    await insertProcessed(otherGroup, 'recent-', 3, '1 minute');

    const { log, entries } = captureLogs('info');
    await startConsumer(groupId, log);
    await waitFor(async () => (await countProcessed(groupId, 'old-')) === 0, { timeoutMs: 20_000 });
    // One sweep, looping over its chunks until the backlog was gone.
    expect(entries.find((e) => e.msg === 'expired processed event ids deleted')?.rows).toBe(25_000);
    expect(await countProcessed(groupId, 'recent-')).toBe(3);
    expect(await countProcessed(otherGroup, 'old-')).toBe(5);
    expect(await countProcessed(otherGroup, 'recent-')).toBe(3);

    // Consuming goes on, and its fresh id is kept.
    const event = enrolled(`course-${randomUUID()}`, 'student-1');
    await bus.publish([{ topic, key: event.subject, value: JSON.stringify(event) }]);
    await waitFor(async () => (await effectsOf(event.id)) === 1, { timeoutMs: 20_000 });
    expect(await processedMarkers(groupId, event.id)).toBe(1);

    // Later sweeps catch ids that expire meanwhile.
    await insertProcessed(groupId, 'later-', 4, '3 hours');
    await waitFor(async () => (await countProcessed(groupId, 'later-')) === 0, { timeoutMs: 20_000 });
    expect(await countProcessed(groupId, 'recent-')).toBe(3);
    expect(await countProcessed(otherGroup, 'old-')).toBe(5);
  });

  it('logs a failed sweep as a warning, keeps consuming, and sweeps again later', async () => {
    const groupId = `retention-fails-${randomUUID()}`;
    const { log, entries } = captureLogs('warn');
    // Deleting this group's rows fails; every other group is unaffected.
    await pool.query(`CREATE FUNCTION fail_retention_sweep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'sweep refused for this test'; END; $$`);
    await pool.query(`CREATE TRIGGER fail_retention_sweep BEFORE DELETE ON platform_processed_events
      FOR EACH ROW WHEN (OLD.consumer_group LIKE 'retention-fails-%') EXECUTE FUNCTION fail_retention_sweep()`);
    try {
      await insertProcessed(groupId, 'old-', 5, '2 hours');
      await startConsumer(groupId, log);
      const failures = () =>
        entries.filter(
          (e) =>
            e.task === 'processed-events-retention' &&
            e.msg === 'periodic task failed; the next run tries again',
        ).length;
      await waitFor(() => failures() >= 2, { timeoutMs: 20_000 });

      const event = enrolled(`course-${randomUUID()}`, 'student-2');
      await bus.publish([{ topic, key: event.subject, value: JSON.stringify(event) }]);
      await waitFor(async () => (await effectsOf(event.id)) === 1, { timeoutMs: 20_000 });
      expect(await countProcessed(groupId, 'old-')).toBe(5);
    } finally {
      await pool.query('DROP TRIGGER fail_retention_sweep ON platform_processed_events');
      await pool.query('DROP FUNCTION fail_retention_sweep()');
    }
    // The database works again: the next sweep goes through.
    await waitFor(async () => (await countProcessed(groupId, 'old-')) === 0, { timeoutMs: 20_000 });
  });
});
