import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { activeTraceContext } from './event-tracing';
import { eventSchemas, eventTypes, type EventData } from './schemas';
import type { Topic } from './topics';

/**
 * CloudEvents 1.0, structured JSON mode, with the Distributed Tracing extension: `traceparent` and
 * `tracestate` are the W3C trace context of the span that created the event (absent when none was
 * active), so whoever handles it continues the same trace (event-tracing.ts).
 */
export interface CloudEvent<D = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  traceparent?: string;
  tracestate?: string;
  data: D;
}

// A trace context that is not a string is dropped, never a reason to dead-letter the event: losing
// a trace costs less than losing the event. Its format is the propagator's business on extract.
const traceAttribute = z.string().optional().catch(undefined);

const envelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.string(),
  subject: z.string(),
  datacontenttype: z.literal('application/json'),
  traceparent: traceAttribute,
  tracestate: traceAttribute,
  data: z.unknown(),
});

/**
 * Builds a validated event; `subject` is the aggregate id, which is also the Kafka key. Created
 * inside a span (a request, a consumer handling another event), it carries that span's trace context.
 */
export function createEvent<T extends Topic>(
  topic: T,
  args: { source: string; subject: string; data: EventData<T>; id?: string; time?: Date },
): CloudEvent<EventData<T>> {
  const data = eventSchemas[topic].parse(args.data) as EventData<T>;
  return {
    specversion: '1.0',
    id: args.id ?? randomUUID(),
    source: args.source,
    type: eventTypes[topic],
    time: (args.time ?? new Date()).toISOString(),
    subject: args.subject,
    datacontenttype: 'application/json',
    ...activeTraceContext(),
    data,
  };
}

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** Parses a raw message value into a typed event of `topic`; throws InvalidEventError when malformed. */
export function parseEvent<T extends Topic>(topic: T, raw: string | Buffer): CloudEvent<EventData<T>> {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch {
    throw new InvalidEventError(`${topic}: message is not JSON`);
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new InvalidEventError(`${topic}: not a CloudEvent: ${envelope.error.message}`);
  const data = eventSchemas[topic].safeParse(envelope.data.data);
  if (!data.success) throw new InvalidEventError(`${topic}: invalid data: ${data.error.message}`);
  const { traceparent, tracestate, ...attributes } = envelope.data;
  return {
    ...(attributes as CloudEvent),
    // Dropped (not kept as undefined) when absent or invalid, so a parsed event equals the one sent.
    ...(traceparent !== undefined && { traceparent }),
    ...(tracestate !== undefined && { tracestate }),
    data: data.data as EventData<T>,
  };
}
