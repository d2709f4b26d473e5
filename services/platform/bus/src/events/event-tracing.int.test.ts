import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { createTestDatabase, waitFor } from '../../../../../e2e/stack/control';
import { createPool, runMigrations, withTransaction, type Pool } from '@moocflix/platform-db';
import type { EventBus } from './bus';
import { createEventConsumer, type EventConsumer } from './event-consumer';
import { InProcessEventBus } from './in-process-bus';
import { KIT_MIGRATIONS_DIR } from './index';
import { KafkaEventBus } from './kafka-bus';
import { enqueueEvent } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { PostgresEventBus } from './postgres-bus';
import { parseTraceparent, startRecordingTracer, type RecordingTracer } from './recording-tracer';
import { Topics } from './topics';

/**
 * One trace from a request to every consumer down the line, through the real outbox, the real
 * relay and each real bus: the request's span → `Student-Enrolled` handled by one group, whose
 * handler enqueues a `Course-Deletion` → handled by another group. The relay publishes long after the
 * request, outside its context; only the trace context inside the events connects the three.
 */
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const enrolledTopic = Topics.StudentEnrolled;
// Any topic the first group does not consume itself; its data is the simplest to build.
const followUpTopic = Topics.CourseDeletion;
const BUS_SCOPE = '@moocflix/platform-bus';

let recording: RecordingTracer;
beforeAll(() => {
  recording = startRecordingTracer();
});
afterAll(async () => {
  await recording.stop();
});

describe.each([
  [
    'Kafka',
    async () =>
      new KafkaEventBus({
        brokers: process.env.KAFKA_BROKERS!.split(','),
        clientId: 'tracing-test',
        logger,
        redeliveryDelayMs: 50,
      }),
  ],
  [
    'the PostgreSQL bus (make dev)',
    async () =>
      PostgresEventBus.open({
        databaseUrl: await createTestDatabase('tracing_bus'),
        logger,
        redeliveryDelayMs: 20,
        pollIntervalMs: 200,
      }),
  ],
  ['the in-process bus', async () => new InProcessEventBus({ logger, redeliveryDelayMs: 20 })],
])('trace context through the outbox and %s (real PostgreSQL)', (_name, makeBus: () => Promise<EventBus>) => {
  let pool: Pool;
  let bus: EventBus;
  let relay: OutboxRelay;
  const consumers: EventConsumer[] = [];
  /** What the handlers saw as the active span, by event id. */
  const activeInHandler = new Map<string, SpanContext | undefined>();
  /** Events whose handler must throw (dead-letter path). */
  const poisoned = new Set<string>();

  beforeAll(async () => {
    pool = createPool(await createTestDatabase('event_tracing'));
    await runMigrations(pool, KIT_MIGRATIONS_DIR);
    bus = await makeBus();
    relay = new OutboxRelay({ pool, bus, logger, pollIntervalMs: 200 });
    await relay.start();
    const start = async (consumer: EventConsumer) => {
      consumers.push(consumer);
      await consumer.start();
    };
    // Enrollments are handled as notifications would: a query, and a follow-up event in the same transaction.
    await start(
      createEventConsumer({
        bus,
        pool,
        logger,
        groupId: `enrollments-${randomUUID()}`,
        startFrom: 'latest',
        maxAttempts: 2,
        retryDelayMs: 20,
        handlers: {
          [enrolledTopic]: async (event, tx) => {
            activeInHandler.set(event.id, trace.getActiveSpan()?.spanContext());
            if (poisoned.has(event.id)) throw new Error('mail server unavailable');
            await tx.query('SELECT 1');
            await enqueueEvent(tx, followUpTopic, {
              source: 'notifications',
              subject: event.data.courseId,
              data: {
                courseId: event.data.courseId,
                instructorId: event.data.instructorId,
                deletedAt: new Date().toISOString(),
              },
            });
          },
        },
      }),
    );
    await start(
      createEventConsumer({
        bus,
        pool,
        logger,
        groupId: `follow-ups-${randomUUID()}`,
        startFrom: 'latest',
        handlers: {
          [followUpTopic]: async (event) => {
            activeInHandler.set(event.id, trace.getActiveSpan()?.spanContext());
          },
        },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await relay?.stop();
    await bus?.close();
    await pool?.end();
  });

  /** Enrolls a student, the event queued in the request's transaction, as the courses service does. */
  async function enroll(courseId: string): Promise<string> {
    const event = await withTransaction(pool, (tx) =>
      enqueueEvent(tx, enrolledTopic, {
        source: 'courses',
        subject: courseId,
        data: {
          courseId,
          studentId: `student-${randomUUID()}`,
          instructorId: 'instructor-1',
          status: 'active',
          enrolledAt: new Date().toISOString(),
        },
      }),
    );
    return event.id;
  }

  /** The bus's consumer span of an event, once it ended. */
  const consumerSpanOf = (eventId: string): Promise<ReadableSpan> =>
    waitFor(
      () =>
        recording
          .spans()
          .find(
            (s) =>
              s.instrumentationScope.name === BUS_SCOPE && s.attributes['messaging.message.id'] === eventId,
          ) ?? false,
      { timeoutMs: 30_000 },
    );

  /** The follow-up event the enrollment handler queued for `courseId`. */
  async function followUpOf(courseId: string): Promise<{ id: string; traceparent?: string }> {
    const row = await waitFor(
      async () =>
        (
          await pool.query<{ event: { id: string; traceparent?: string } }>(
            'SELECT event FROM platform_outbox WHERE topic = $1 AND message_key = $2',
            [followUpTopic, courseId],
          )
        ).rows[0] ?? false,
      { timeoutMs: 30_000 },
    );
    return row.event;
  }

  it("puts both consumers' spans in the trace of the request that enqueued the first event", async () => {
    const courseId = `course-${randomUUID()}`;
    const request = await trace
      .getTracer('test')
      .startActiveSpan('POST /api/v1/courses/:id/enrollments', { kind: SpanKind.SERVER }, async (span) => {
        try {
          return { eventId: await enroll(courseId), ...span.spanContext() };
        } finally {
          span.end();
        }
      });

    const enrollment = await consumerSpanOf(request.eventId);
    expect(enrollment.kind).toBe(SpanKind.CONSUMER);
    expect(enrollment.name).toBe(`process ${enrolledTopic}`);
    expect(enrollment.attributes['messaging.system']).toBe(bus.kind);
    expect(enrollment.attributes['moocflix.event.outcome']).toBe('processed');
    expect(enrollment.spanContext().traceId).toBe(request.traceId);
    expect(enrollment.parentSpanContext?.spanId).toBe(request.spanId);
    // The handler ran inside it, so its queries (pg instrumentation) are children of it too.
    expect(activeInHandler.get(request.eventId)?.spanId).toBe(enrollment.spanContext().spanId);

    // The event the handler queued carries the consumer span, and its own consumer continues from there.
    const followUp = await followUpOf(courseId);
    expect(parseTraceparent(followUp.traceparent)).toEqual({
      traceId: request.traceId,
      spanId: enrollment.spanContext().spanId,
    });
    const followed = await consumerSpanOf(followUp.id);
    expect(followed.spanContext().traceId).toBe(request.traceId);
    expect(followed.parentSpanContext?.spanId).toBe(enrollment.spanContext().spanId);
    expect(activeInHandler.get(followUp.id)?.spanId).toBe(followed.spanContext().spanId);
  });

  it('handles an event enqueued outside any span in a span of its own, and its follow-up in that trace', async () => {
    const courseId = `course-${randomUUID()}`;
    const eventId = await enroll(courseId);

    const enrollment = await consumerSpanOf(eventId);
    expect(enrollment.parentSpanContext).toBeUndefined();
    const followUp = await followUpOf(courseId);
    const followed = await consumerSpanOf(followUp.id);
    expect(followed.spanContext().traceId).toBe(enrollment.spanContext().traceId);
    expect(followed.parentSpanContext?.spanId).toBe(enrollment.spanContext().spanId);
  });

  it('marks the span of a dead-lettered event failed, with every attempt as an exception, still in the trace', async () => {
    const courseId = `course-${randomUUID()}`;
    const eventId = randomUUID();
    poisoned.add(eventId);
    const request = await trace.getTracer('test').startActiveSpan('POST enrollments', async (span) => {
      try {
        await withTransaction(pool, (tx) =>
          enqueueEvent(tx, enrolledTopic, {
            id: eventId,
            source: 'courses',
            subject: courseId,
            data: {
              courseId,
              studentId: 'student-poison',
              instructorId: 'instructor-1',
              status: 'active',
              enrolledAt: new Date().toISOString(),
            },
          }),
        );
        return span.spanContext();
      } finally {
        span.end();
      }
    });

    const failed = await consumerSpanOf(eventId);
    expect(failed.spanContext().traceId).toBe(request.traceId);
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'mail server unavailable' });
    expect(failed.attributes['moocflix.event.outcome']).toBe('dead-lettered');
    expect(failed.events.filter((e) => e.name === 'exception')).toHaveLength(2);
  });
});
