import type { Queryable } from '@moocflix/platform-db';
import { createEvent, type CloudEvent } from './envelope';
import type { EventData } from './schemas';
import type { Topic } from './topics';

/** The NOTIFY channel of the outbox's trigger (migration platform_004); the OutboxRelay LISTENs to it. */
export const OUTBOX_CHANNEL = 'platform_outbox';

/**
 * Validates an event and writes it to the outbox through `tx`, which must be the caller's
 * transaction: the business row and its event then commit (or roll back) together, and nothing is
 * sent to Kafka here, so a Kafka outage never fails the request. The relay is woken on
 * commit by the outbox's NOTIFY trigger (migration platform_004), never for a rolled-back event.
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
    'INSERT INTO platform_outbox (event_id, topic, message_key, event) VALUES ($1, $2, $3, $4)',
    [event.id, topic, event.subject, JSON.stringify(event)],
  );
  return event;
}

/** A data-modifying statement with RETURNING (it may start with its own WITH), and its parameters. */
export interface Write {
  /**
   * Names a hot statement so each connection prepares (parses and plans) it once: for a CTE like
   * the enrollment's, planning costs more than running. One name, one text.
   */
  name?: string;
  text: string;
  values: unknown[];
}

/**
 * Runs `write` and, if it returned a row, queues the event in the outbox — in ONE statement, so one
 * round trip and no BEGIN/COMMIT: a statement is atomic, the write and its event commit together
 * or not at all. For hot paths whose write is a single guarded statement (see the courses
 * service's enrollStudent); anything that reads and decides under locks uses a transaction and
 * enqueueEvent. The event is built and validated before the statement runs, so its data cannot
 * depend on the written rows. Returns the write's rows, and the event if one was queued (none when
 * the write returned no row).
 */
export async function writeWithEvent<Row extends object, T extends Topic>(
  db: Queryable,
  write: Write,
  topic: T,
  args: { source: string; subject: string; data: EventData<T>; id?: string },
): Promise<{ rows: Row[]; event: CloudEvent<EventData<T>> | undefined }> {
  const event = createEvent(topic, args);
  const n = write.values.length;
  const { rows } = await db.query<Row>({
    name: write.name && `${write.name}+outbox`,
    text: `WITH written AS (${write.text}),
          queued AS (
            INSERT INTO platform_outbox (event_id, topic, message_key, event)
            SELECT $${n + 1}::uuid, $${n + 2}, $${n + 3}, $${n + 4}::json WHERE EXISTS (SELECT 1 FROM written)
          )
     SELECT * FROM written`,
    values: [...write.values, event.id, topic, event.subject, JSON.stringify(event)],
  });
  return { rows, event: rows.length > 0 ? event : undefined };
}
