import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { createTestDatabase, waitFor } from '../../../../../e2e/stack/control';
import { createPool, runMigrations, withTransaction, type Pool, type Queryable } from '@moocflix/platform-db';
import type { IncomingMessage } from './bus';
import { KafkaEventBus } from './kafka-bus';
import { KIT_MIGRATIONS_DIR } from './index';
import { recordMessages } from '@moocflix/platform-testing';
import { enqueueEvent, OUTBOX_CHANNEL, writeWithEvent } from './outbox';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
import { Topics } from './topics';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const topic = Topics.CourseCreation;

let pool: Pool;
let bus: KafkaEventBus;
let recorder: Awaited<ReturnType<typeof recordMessages>>;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  pool = createPool(await createTestDatabase('outbox'));
  await runMigrations(pool, KIT_MIGRATIONS_DIR);
  await pool.query('CREATE TABLE courses (id text PRIMARY KEY, title text NOT NULL)');
  bus = new KafkaEventBus({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'outbox-test', logger });
  recorder = await recordMessages(bus, [topic]);
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await recorder.close();
  await bus.close();
  await pool.end();
});

async function startRelay(options: Partial<OutboxRelayOptions> = {}): Promise<OutboxRelay> {
  const relay = new OutboxRelay({ pool, bus, logger, pollIntervalMs: 200, ...options });
  relays.push(relay);
  await relay.start();
  return relay;
}

/** Writes a course and its Course-Creation event in the caller's transaction, as a service does. */
async function createCourse(tx: Queryable, courseId: string, title = 'Intro') {
  await tx.query('INSERT INTO courses (id, title) VALUES ($1, $2)', [courseId, title]);
  return enqueueEvent(tx, topic, { source: 'courses', subject: courseId, data: courseData(courseId, title) });
}

/** The data of a Course-Creation event. */
function courseData(courseId: string, title: string) {
  return {
    courseId,
    instructorId: 'instructor-1',
    title,
    published: false,
    category: null,
    capacity: null,
    createdAt: new Date().toISOString(),
  };
}

const eventId = (m: IncomingMessage): string => (JSON.parse(m.value) as { id: string }).id;
const received = (id: string): IncomingMessage[] => recorder.messages.filter((m) => eventId(m) === id);

describe('transactional outbox + OutboxRelay (real PostgreSQL and Kafka)', () => {
  it('publishes a committed event once, keyed by its subject, as CloudEvent JSON — woken by NOTIFY, not the poll', async () => {
    // A poll this slow would miss the deadline below: only the NOTIFY can make it in time.
    await startRelay({ pollIntervalMs: 120_000 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the relay's first (empty) pass finish
    const courseId = `course-${randomUUID()}`;
    const event = await withTransaction(pool, (tx) => createCourse(tx, courseId, 'Distributed Systems'));

    const [message] = await waitFor(() => received(event.id).length > 0 && received(event.id), { timeoutMs: 10_000 });
    expect(message?.key).toBe(courseId);
    expect(message?.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(JSON.parse(message!.value)).toEqual(event);
    // The very text enqueued, not re-serialized on the way (jsonb would have reordered its keys).
    expect(message!.value).toBe(JSON.stringify(event));
    expect(event).toMatchObject({ specversion: '1.0', type: 'io.moocflix.course.created', source: 'courses', subject: courseId });

    const row = await waitFor(async () => {
      const { rows } = await pool.query('SELECT published_at, attempts, last_error FROM platform_outbox WHERE event_id = $1', [event.id]);
      return rows[0]?.published_at !== null && rows[0];
    });
    expect(row).toMatchObject({ attempts: 1, last_error: null });
    await publishedThrough(courseId);
    expect(received(event.id)).toHaveLength(1);
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    await startRelay();
    const courseId = `course-${randomUUID()}`;
    let rolledBack: { id: string } | undefined;
    await expect(
      withTransaction(pool, async (tx) => {
        rolledBack = await createCourse(tx, courseId);
        throw new Error('business rule violated after the event was enqueued');
      }),
    ).rejects.toThrow('business rule violated');

    await publishedThrough(courseId);
    expect(received(rolledBack!.id)).toHaveLength(0);
    const { rowCount } = await pool.query('SELECT 1 FROM platform_outbox WHERE event_id = $1', [rolledBack!.id]);
    expect(rowCount).toBe(0);
    const courses = await pool.query('SELECT 1 FROM courses WHERE id = $1', [courseId]);
    expect(courses.rowCount).toBe(0);
  });

  it('publishes in seq order across batches', async () => {
    const courseId = `course-${randomUUID()}`;
    // Enqueued while no relay runs, so the relay meets a backlog bigger than several batches.
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const event = await withTransaction(pool, (tx) =>
        enqueueEvent(tx, Topics.CourseUpdate, {
          source: 'courses',
          subject: courseId,
          data: { courseId, instructorId: 'i', title: `v${i}`, published: true, category: null, capacity: null, version: i, updatedAt: new Date().toISOString() },
        }),
      );
      ids.push(event.id);
    }
    const updates = await recordMessages(bus, [Topics.CourseUpdate]);
    try {
      await startRelay({ batchSize: 5 });
      await waitFor(() => expect(updates.messages.filter((m) => m.key === courseId)).toHaveLength(ids.length), { timeoutMs: 20_000 });
      expect(updates.messages.filter((m) => m.key === courseId).map(eventId)).toEqual(ids);
    } finally {
      await updates.close();
    }
  });

  it('publishes events committed within its batch interval together, not one batch each', async () => {
    const batches: number[] = [];
    // The real bus, counting the relay's publish calls (one per batch).
    const countingBus = Object.assign(Object.create(bus) as KafkaEventBus, {
      publish: (messages: Parameters<KafkaEventBus['publish']>[0]) => {
        batches.push(messages.length);
        return bus.publish(messages);
      },
    });
    await startRelay({ bus: countingBus, batchIntervalMs: 1_500, pollIntervalMs: 120_000 });
    const ids: string[] = [];
    // Spaced out so that, without the interval, each would be published on its own.
    for (let i = 0; i < 5; i++) {
      const event = await withTransaction(pool, (tx) => createCourse(tx, `course-${randomUUID()}`));
      ids.push(event.id);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await waitFor(() => ids.every((id) => received(id).length === 1), { timeoutMs: 20_000 });
    // The first commit wakes the relay at once; the other four arrive within its interval and share a batch.
    expect(batches.reduce((a, b) => a + b, 0)).toBe(5);
    expect(batches.length).toBeLessThanOrEqual(2);
  });

  it('two relays on one database publish a backlog once, in order', async () => {
    const courseId = `course-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const event = await withTransaction(pool, (tx) =>
        enqueueEvent(tx, topic, {
          source: 'courses',
          subject: courseId,
          data: { courseId, instructorId: 'i', title: `t${i}`, published: false, category: null, capacity: null, createdAt: new Date().toISOString() },
        }),
      );
      ids.push(event.id);
    }
    // Two replicas, each with its own producer, meet the whole backlog at once, in small batches:
    // without mutual exclusion the second would publish later batches while the first still
    // publishes earlier ones.
    const otherReplicaBus = new KafkaEventBus({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'outbox-test-2', logger });
    try {
      await Promise.all([
        startRelay({ batchSize: 3, pollIntervalMs: 50 }),
        startRelay({ batchSize: 3, pollIntervalMs: 50, bus: otherReplicaBus }),
      ]);
      const marker = await publishedThrough(courseId);
      expect(recorder.messages.filter((m) => m.key === courseId).map(eventId)).toEqual([...ids, marker]);
    } finally {
      await Promise.all(relays.splice(0).map((r) => r.stop()));
      await otherReplicaBus.close();
    }
  });

  it('deletes published rows older than the retention, and only those', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    await pool.query(
      `INSERT INTO platform_outbox (event_id, topic, message_key, event, created_at, published_at) VALUES
         ($1, 'Course-Creation', 'k', '{}', now() - interval '3 days', now() - interval '2 days'),
         ($2, 'Course-Creation', 'k', '{}', now() - interval '3 hours', now() - interval '2 hours')`,
      [old, recent],
    );
    await startRelay({ retentionMs: 24 * 60 * 60_000 });
    await waitFor(async () => (await pool.query('SELECT 1 FROM platform_outbox WHERE event_id = $1', [old])).rowCount === 0);
    const kept = await pool.query('SELECT 1 FROM platform_outbox WHERE event_id = $1', [recent]);
    expect(kept.rowCount).toBe(1);
  });
});

describe('waking the relay: NOTIFY while it listens, polling while events keep coming', () => {
  const relayListens = async (): Promise<boolean> =>
    (await pool.query<{ listening: boolean }>('SELECT listening FROM platform_outbox_relay')).rows[0]!.listening;

  /** Counts the outbox's notifications on a connection of its own, as the relay's LISTEN sees them. */
  async function countNotifications(): Promise<{ count: () => number; close: () => Promise<void> }> {
    const client = new pg.Client(pool.options);
    let count = 0;
    client.on('notification', () => count++);
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    return { count: () => count, close: () => client.end() };
  }

  it('writers stop notifying while a stream of events keeps the relay polling, and notify again once it listens', async () => {
    await startRelay({ pollIntervalMs: 120_000, batchIntervalMs: 50 });
    await waitFor(relayListens);
    const notifications = await countNotifications();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 300; i++) {
        ids.push((await withTransaction(pool, (tx) => createCourse(tx, `course-${randomUUID()}`))).id);
      }
      await waitFor(() => ids.every((id) => received(id).length === 1), { timeoutMs: 30_000 });
      // One notification per transaction without the flag; a few, until the relay's first batch, with it.
      expect(notifications.count()).toBeLessThan(150);
      // Nothing more to publish: the relay listens again, and a lone event wakes it (the slow poll
      // is two minutes away).
      await waitFor(relayListens, { timeoutMs: 10_000 });
      const before = notifications.count();
      const lone = await withTransaction(pool, (tx) => createCourse(tx, `course-${randomUUID()}`));
      await waitFor(() => received(lone.id).length === 1, { timeoutMs: 10_000 });
      expect(notifications.count()).toBeGreaterThan(before);
    } finally {
      await notifications.close();
    }
  });

  it('does not go back to listening while a writer that saw it polling is in flight, and publishes that writer\'s event without the slow poll', async () => {
    // As a relay that polls leaves it; this one starts polling too.
    await pool.query('UPDATE platform_outbox_relay SET listening = false');
    const writer = await pool.connect();
    try {
      await writer.query('BEGIN');
      // Read "polling" (no NOTIFY will come of this commit) and hold the writers' lock until the end.
      const event = await createCourse(writer, `course-${randomUUID()}`);
      await startRelay({ pollIntervalMs: 120_000, batchIntervalMs: 50 });
      // The relay finds nothing committed, again and again, and tries to hand over each time.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await relayListens()).toBe(false);
      await writer.query('COMMIT');
      // Still polling, it finds the event at once; only then does it listen again.
      await waitFor(() => received(event.id).length === 1, { timeoutMs: 5_000 });
      await waitFor(relayListens, { timeoutMs: 5_000 });
    } finally {
      await writer.query('ROLLBACK').catch(() => undefined);
      writer.release();
    }
  });

  it('a relay that stops while polling tells writers to notify again', async () => {
    const relay = await startRelay({ pollIntervalMs: 120_000, batchIntervalMs: 5_000 });
    const event = await withTransaction(pool, (tx) => createCourse(tx, `course-${randomUUID()}`));
    await waitFor(() => received(event.id).length === 1, { timeoutMs: 10_000 });
    // Within its five seconds between polls, it tells writers it polls.
    await waitFor(async () => !(await relayListens()), { timeoutMs: 4_000 });
    await relay.stop();
    expect(await relayListens()).toBe(true);
  });
});

/**
 * Commits a marker event for `subject` and waits for it: messages of one key share a partition and
 * arrive in order, so anything still to come for that key (a duplicate, a rolled-back event) would
 * have arrived before the marker.
 */
async function publishedThrough(subject: string): Promise<string> {
  const marker = await withTransaction(pool, (tx) =>
    enqueueEvent(tx, topic, {
      source: 'courses',
      subject,
      data: { courseId: subject, instructorId: 'i', title: 'marker', published: false, category: null, capacity: null, createdAt: new Date().toISOString() },
    }),
  );
  await waitFor(() => received(marker.id).length === 1, { timeoutMs: 20_000 });
  return marker.id;
}

describe('writeWithEvent: a business write and its event in one statement', () => {
  /** Inserts the course unless one with that id exists: a guarded write that may write nothing. */
  const insertIfAbsent = (courseId: string, title: string) =>
    writeWithEvent<{ id: string; title: string }, typeof topic>(
      pool,
      {
        name: 'test.insert-course-if-absent',
        text: 'INSERT INTO courses (id, title) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id, title',
        values: [courseId, title],
      },
      topic,
      { source: 'courses', subject: courseId, data: courseData(courseId, title) },
    );
  const outboxRowsOf = async (courseId: string) =>
    (await pool.query('SELECT event FROM platform_outbox WHERE message_key = $1', [courseId])).rows;

  it('queues the event with the written row, and the relay is woken by NOTIFY to publish it', async () => {
    await startRelay({ pollIntervalMs: 120_000 });
    const courseId = `course-${randomUUID()}`;
    const { rows, event } = await insertIfAbsent(courseId, 'Compilers');
    expect(rows).toEqual([{ id: courseId, title: 'Compilers' }]);
    expect(event).toMatchObject({ type: 'io.moocflix.course.created', subject: courseId });
    expect(await outboxRowsOf(courseId)).toEqual([{ event: JSON.parse(JSON.stringify(event)) }]);
    const [message] = await waitFor(() => received(event!.id).length > 0 && received(event!.id), {
      timeoutMs: 10_000,
    });
    expect(JSON.parse(message!.value)).toEqual(event);
  });

  it('queues nothing when the write wrote nothing', async () => {
    const courseId = `course-${randomUUID()}`;
    await insertIfAbsent(courseId, 'First');
    const second = await insertIfAbsent(courseId, 'Second');
    expect(second).toEqual({ rows: [], event: undefined });
    expect(await outboxRowsOf(courseId)).toHaveLength(1);
    expect((await pool.query('SELECT title FROM courses WHERE id = $1', [courseId])).rows).toEqual([
      { title: 'First' },
    ]);
  });

  it('queues nothing when the write fails, and refuses an invalid event before writing', async () => {
    const courseId = `course-${randomUUID()}`;
    const failing = writeWithEvent(
      pool,
      { text: 'INSERT INTO courses (id, title) VALUES ($1, NULL) RETURNING id', values: [courseId] },
      topic,
      { source: 'courses', subject: courseId, data: courseData(courseId, 'x') },
    );
    await expect(failing).rejects.toMatchObject({ code: '23502' });
    const invalid = writeWithEvent(
      pool,
      { text: 'INSERT INTO courses (id, title) VALUES ($1, $2) RETURNING id', values: [courseId, 't'] },
      topic,
      // @ts-expect-error: the data misses most fields of a Course-Creation
      { source: 'courses', subject: courseId, data: { courseId } },
    );
    await expect(invalid).rejects.toThrow();
    expect(await outboxRowsOf(courseId)).toEqual([]);
    expect((await pool.query('SELECT 1 FROM courses WHERE id = $1', [courseId])).rowCount).toBe(0);
  });
});
