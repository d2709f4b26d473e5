import type { Queryable } from '../db';
import { createEvent, type CloudEvent } from './envelope';
import type { EventData } from './schemas';
import type { Topic } from './topics';

/** The NOTIFY channel enqueueEvent signals on commit; the OutboxRelay LISTENs to it. */
export const OUTBOX_CHANNEL = 'platform_outbox';

/**
 * Validates an event and writes it to the outbox through `tx`, which must be the caller's
 * transaction: the business row and its event then commit (or roll back) together, and nothing is
 * sent to Kafka here, so a Kafka outage never fails the request (DESIGN §3). The NOTIFY is
 * transactional too: the relay is woken on commit, never for a rolled-back event.
 *
 * Ordering: the relay publishes in `seq` order. Enqueue after the business write that locks the
 * aggregate's row, so two transactions on the same entity take their sequence numbers in commit order.
 */
export async function enqueueEvent<T extends Topic>(
  tx: Queryable,
  topic: T,
  args: { source: string; subject: string; data: EventData<T>; id?: string },
): Promise<CloudEvent<EventData<T>>> {
  const event = createEvent(topic, args);
  await tx.query(
    `WITH queued AS (
       INSERT INTO platform_outbox (event_id, topic, message_key, event) VALUES ($1, $2, $3, $4) RETURNING seq
     )
     SELECT pg_notify($5, seq::text) FROM queued`,
    [event.id, topic, event.subject, JSON.stringify(event), OUTBOX_CHANNEL],
  );
  return event;
}
