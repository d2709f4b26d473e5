import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { IncomingMessage } from './bus';
import { createEvent, parseEvent, type CloudEvent } from './envelope';
import { inConsumerSpan } from './event-tracing';
import { parseTraceparent, startRecordingTracer, type RecordingTracer } from './recording-tracer';
import type { EventData } from './schemas';
import { Topics } from './topics';

const topic = Topics.StudentEnrolled;
type Enrolled = CloudEvent<EventData<typeof topic>>;

function enrolled(studentId = 'student-1'): Enrolled {
  return createEvent(topic, {
    source: 'courses',
    subject: 'course-1',
    data: {
      courseId: 'course-1',
      studentId,
      instructorId: 'instructor-1',
      status: 'active',
      enrolledAt: '2026-01-02T03:04:05.000Z',
    },
  });
}

function delivered(event: unknown): IncomingMessage {
  return { topic, key: 'course-1', value: JSON.stringify(event), headers: {}, partition: 2, offset: '41' };
}

const tracer = () => trace.getTracer('event-tracing.test');

describe('events without a tracing SDK (tracing off, as in make dev without an endpoint)', () => {
  it('carry no trace context, even when created inside a span of the API', () => {
    const event = tracer().startActiveSpan('request', (span) => {
      try {
        return enrolled();
      } finally {
        span.end();
      }
    });

    expect(event).not.toHaveProperty('traceparent');
    expect(event).not.toHaveProperty('tracestate');
  });

  it('are still handled inside inConsumerSpan, which only runs the handler', async () => {
    const event = enrolled();
    await expect(
      inConsumerSpan(
        { message: delivered(event), groupId: 'g', busKind: 'in-process', event },
        async (span) => {
          expect(span.isRecording()).toBe(false);
          return 'handled';
        },
      ),
    ).resolves.toBe('handled');
  });
});

describe('events with a tracing SDK registered', () => {
  let recording: RecordingTracer;
  beforeEach(() => {
    recording = startRecordingTracer();
  });
  afterEach(async () => {
    await recording.stop();
  });

  /** Creates an event inside a span named `name`, as a request handler would; returns both. */
  function createdInSpan(name = 'POST /api/v1/courses/:id/enrollments'): {
    event: Enrolled;
    traceId: string;
    spanId: string;
  } {
    return tracer().startActiveSpan(name, (span) => {
      try {
        return { event: enrolled(), ...span.spanContext() };
      } finally {
        span.end();
      }
    });
  }

  it('records the active span as the W3C traceparent of an event created inside it', () => {
    const { event, traceId, spanId } = createdInSpan();

    expect(parseTraceparent(event.traceparent)).toEqual({ traceId, spanId });
    // Created outside any span: nothing to continue.
    expect(enrolled()).not.toHaveProperty('traceparent');
  });

  it('keeps traceparent and tracestate through JSON and parseEvent, as the outbox and every bus carry them', () => {
    const { event } = createdInSpan();
    const withState = { ...event, tracestate: 'moocflix=edge-1' };

    expect(parseEvent(topic, JSON.stringify(withState))).toEqual(withState);
  });

  it('drops a trace context that is not a string instead of refusing the event', () => {
    const event = { ...enrolled(), traceparent: 42, tracestate: { nested: true } };

    const parsed = parseEvent(topic, JSON.stringify(event));

    expect(parsed).not.toHaveProperty('traceparent');
    expect(parsed).not.toHaveProperty('tracestate');
    expect(parsed.data.studentId).toBe('student-1');
  });

  it('handles an event in a CONSUMER span that is a child of the span that created it', async () => {
    const producer = createdInSpan();
    let followUp: Enrolled | undefined;

    await inConsumerSpan(
      {
        message: delivered(producer.event),
        groupId: 'notifications',
        busKind: 'kafka',
        event: producer.event,
      },
      async () => {
        // An event the handler enqueues continues the trace again.
        followUp = enrolled('student-2');
      },
    );

    const consumer = recording.spans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(consumer.name).toBe(`process ${topic}`);
    expect(consumer.spanContext().traceId).toBe(producer.traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanId);
    expect(consumer.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': '2',
      'messaging.kafka.offset': 41,
      'messaging.consumer.group.name': 'notifications',
      'messaging.message.id': producer.event.id,
      'cloudevents.event_type': 'io.moocflix.enrollment.created',
      'cloudevents.event_source': 'courses',
      'cloudevents.event_subject': 'course-1',
    });
    expect(parseTraceparent(followUp!.traceparent)).toEqual({
      traceId: producer.traceId,
      spanId: consumer.spanContext().spanId,
    });
  });

  it("prefers the event's trace to the one it was delivered in, and links the delivery span", async () => {
    const producer = createdInSpan();
    // What the kafkajs instrumentation does around eachMessage: a span of its own, in the trace the
    // relay's publish started.
    const delivery = await tracer().startActiveSpan(
      `process ${topic}`,
      { kind: SpanKind.CONSUMER },
      async (span) => {
        try {
          await inConsumerSpan(
            { message: delivered(producer.event), groupId: 'g', busKind: 'kafka', event: producer.event },
            async () => undefined,
          );
          return span.spanContext();
        } finally {
          span.end();
        }
      },
    );

    const consumer = recording.spans().find((s) => s.instrumentationScope.name === '@moocflix/platform-bus')!;
    expect(delivery.traceId).not.toBe(producer.traceId);
    expect(consumer.spanContext().traceId).toBe(producer.traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanId);
    expect(consumer.links.map((l) => l.context)).toEqual([delivery]);
  });

  it('handles an event without traceparent in a span of its own (a new trace, or the delivery context)', async () => {
    const event = enrolled();
    expect(event).not.toHaveProperty('traceparent');

    await inConsumerSpan(
      { message: delivered(event), groupId: 'g', busKind: 'postgres', event },
      async () => undefined,
    );
    const delivery = await tracer().startActiveSpan('delivery', async (span) => {
      try {
        await inConsumerSpan(
          { message: delivered(event), groupId: 'g', busKind: 'postgres', event },
          async () => undefined,
        );
        return span.spanContext();
      } finally {
        span.end();
      }
    });

    const [root, child] = recording.spans().filter((s) => s.kind === SpanKind.CONSUMER);
    expect(root!.parentSpanContext).toBeUndefined();
    expect(root!.attributes['messaging.system']).toBe('postgres');
    expect(root!.attributes).not.toHaveProperty('messaging.kafka.offset');
    expect(child!.spanContext().traceId).toBe(delivery.traceId);
    expect(child!.parentSpanContext?.spanId).toBe(delivery.spanId);
    expect(child!.links).toEqual([]);
  });

  it('ignores a traceparent that is not W3C and continues the delivery context', async () => {
    const event = { ...enrolled(), traceparent: 'not-a-traceparent' };

    await inConsumerSpan(
      { message: delivered(event), groupId: 'g', busKind: 'kafka', event },
      async () => undefined,
    );

    const [span] = recording.spans();
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('records a throwing handler on the span, ends it, and rethrows', async () => {
    const { event } = createdInSpan();

    await expect(
      inConsumerSpan({ message: delivered(event), groupId: 'g', busKind: 'kafka', event }, async () => {
        throw new Error('grade book unavailable');
      }),
    ).rejects.toThrow('grade book unavailable');

    const consumer = recording.spans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(consumer.status).toEqual({ code: SpanStatusCode.ERROR, message: 'grade book unavailable' });
    expect(consumer.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([
      ['exception', 'grade book unavailable'],
    ]);
  });
});
