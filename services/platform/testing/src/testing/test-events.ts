import type { Pool } from '@moocflix/platform-db';
import {
  createEvent,
  type CloudEvent,
  type EventBus,
  type EventData,
  type Topic,
} from '@moocflix/platform-bus';

/**
 * Publishes an event straight to the bus as its producer's outbox relay would (keyed by its subject),
 * so a test can play another service's part. `id` repeats an earlier delivery.
 */
export async function publishEvent<T extends Topic>(
  bus: EventBus,
  topic: T,
  event: { source: string; subject: string; data: EventData<T>; id?: string },
): Promise<CloudEvent<EventData<T>>> {
  const built = createEvent(topic, event);
  await republishEvent(bus, topic, built);
  return built;
}

/** Publishes an already-built event again: a redelivery, same id. */
export async function republishEvent(bus: EventBus, topic: Topic, event: CloudEvent): Promise<void> {
  await bus.publish([{ topic, key: event.subject, value: JSON.stringify(event) }]);
}

export interface OutboxRow {
  /** Whether the relay has sent it to the bus yet. */
  published: boolean;
}

/** The outbox rows of `topic` about `subject`, oldest first: what the service committed to emit. */
export async function readOutbox(db: Pool, topic: Topic, subject: string): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>(
    'SELECT published_at IS NOT NULL AS published FROM platform_outbox WHERE topic = $1 AND message_key = $2 ORDER BY seq',
    [topic, subject],
  );
  return rows;
}
