import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Link,
  type Span,
} from '@opentelemetry/api';
import type { IncomingMessage } from './bus';

/**
 * Tracing across events, the CloudEvents Distributed Tracing extension: an event carries the W3C
 * `traceparent` (and `tracestate`) of the span that created it, and the consumer handles it in a
 * span whose parent is that context. The outbox relay publishes later, outside the request, and the
 * kafkajs instrumentation starts a new trace per publish; the context in the event itself survives
 * the outbox row, every bus (Kafka, PostgreSQL, in process) and a dead-letter replay.
 *
 * Only the OpenTelemetry API is used: with no SDK registered (tracing off, unit tests) there is no
 * active span, nothing is injected, and the spans below are non-recording no-ops.
 */
export interface TraceContext {
  traceparent?: string;
  tracestate?: string;
}

const TRACER_NAME = '@moocflix/platform-bus';

/**
 * The W3C trace context of the active span, through the registered propagator (the SDK's default is
 * W3C trace context + baggage); empty when no span is active, so an untraced process adds nothing.
 */
export function activeTraceContext(): TraceContext {
  const active = context.active();
  // No span → no propagation work at all (the no-SDK case: context.active() is the root context).
  if (!trace.getSpan(active)) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  const found: TraceContext = {};
  if (carrier.traceparent) found.traceparent = carrier.traceparent;
  if (carrier.tracestate) found.tracestate = carrier.tracestate;
  return found;
}

export interface ConsumerSpanOptions {
  message: IncomingMessage;
  groupId: string;
  busKind: string;
  /** The parsed event; undefined when the message is malformed (its span then has no event parent). */
  event?: { id: string; type: string; source: string; subject: string } & TraceContext;
}

/**
 * Runs `fn` inside a CONSUMER span for one message, ended when `fn` settles. The parent is the
 * event's traceparent when it has one, else the context the bus delivered in (which, on Kafka with
 * the kafkajs instrumentation, is that instrumentation's own `process` span in the relay's trace:
 * it is kept as a link, so both traces lead to each other). A throw is recorded on the span and
 * rethrown; `fn` records the failures it handles itself (see recordFailure).
 *
 * The name and attributes follow OpenTelemetry's messaging conventions (`process <destination>`,
 * like the kafkajs instrumentation's own span) and its CloudEvents attributes.
 */
export async function inConsumerSpan<T>(
  options: ConsumerSpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const { message, event } = options;
  const delivered = context.active();
  const parent =
    event?.traceparent !== undefined
      ? propagation.extract(delivered, { traceparent: event.traceparent, tracestate: event.tracestate })
      : delivered;
  const links: Link[] = [];
  const deliverySpan = trace.getSpanContext(delivered);
  const parentSpan = trace.getSpanContext(parent);
  if (deliverySpan && parentSpan && deliverySpan.traceId !== parentSpan.traceId) {
    links.push({ context: deliverySpan });
  }
  const attributes: Attributes = {
    'messaging.system': options.busKind,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': message.topic,
    'messaging.destination.partition.id': String(message.partition),
    'messaging.consumer.group.name': options.groupId,
  };
  if (options.busKind === 'kafka') attributes['messaging.kafka.offset'] = Number(message.offset);
  if (event) {
    attributes['messaging.message.id'] = event.id;
    attributes['cloudevents.event_id'] = event.id;
    attributes['cloudevents.event_type'] = event.type;
    attributes['cloudevents.event_source'] = event.source;
    attributes['cloudevents.event_subject'] = event.subject;
  }
  // Looked up per message, not once per module: a tracer taken before the SDK registered would stay
  // bound to whatever provider was global then.
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(
    `process ${message.topic}`,
    { kind: SpanKind.CONSUMER, attributes, links },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        recordFailure(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Marks the span failed with the error as an exception event (the standard `exception.*` attributes). */
export function recordFailure(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}
