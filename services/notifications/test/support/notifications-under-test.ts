import { createTestDatabase, waitFor } from '../../../../e2e/stack/control';
import type { CloudEvent, EventData, KafkaEventBus, Topic } from '@moocflix/platform-bus';
import {
  kafkaTestBus,
  publishEvent,
  ServiceUnderTest,
  startTestService,
  type TestTokenIssuer,
  type TestUser,
} from '@moocflix/platform-testing';
import { createNotificationsService } from '../../src/service';

export const BASE = '/api/v1/notifications';

/** A JSON body as the API returns it; tests read its fields freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export type User = TestUser;

/**
 * One notifications service per test file on the REAL stack: its own fresh database on the stack's
 * PostgreSQL, the Kafka bus on the real broker, real signed tokens. Other services' events reach it
 * through Kafka, published here in their place (or by those services themselves, in flow tests).
 */
export class NotificationsUnderTest extends ServiceUnderTest<KafkaEventBus> {
  /** `bus` shares another service's bus (which stays the caller's to close). */
  static async start(
    name: string,
    options: { bus?: KafkaEventBus; issuer?: TestTokenIssuer; env?: Record<string, string> } = {},
  ): Promise<NotificationsUnderTest> {
    const bus = options.bus ?? kafkaTestBus(`notifications-test-${name}`);
    const service = await startTestService({
      name: 'notifications',
      create: createNotificationsService,
      databaseUrl: await createTestDatabase(`notifications_${name}`),
      bus,
      issuer: options.issuer,
      env: options.env,
    });
    return new NotificationsUnderTest(service, bus, BASE, !options.bus);
  }

  /** Publishes an event to Kafka as its producer's outbox relay would; `id` repeats a delivery. */
  publish<T extends Topic>(
    topic: T,
    subject: string,
    data: EventData<T>,
    id?: string,
  ): Promise<CloudEvent<EventData<T>>> {
    return publishEvent(this.bus, topic, { source: 'notifications-test', subject, data, id });
  }

  /** Waits until the consumer group has handled the event (its id is in the processed-events table). */
  async processed(event: CloudEvent): Promise<void> {
    await waitFor(
      async () => {
        const { rows } = await this.db.query(
          'SELECT 1 FROM platform_processed_events WHERE consumer_group = $1 AND event_id = $2',
          ['notifications', event.id],
        );
        expect(rows).toHaveLength(1);
      },
      { timeoutMs: 20_000 },
    );
  }

  /** The user's whole inbox through the API (newest first), once it holds at least `atLeast` notifications. */
  async inbox(user: User, atLeast = 1, query = ''): Promise<Json[]> {
    return waitFor(
      async () => {
        const response = await this.request('GET', `?limit=100${query}`, user);
        expect(response.status).toBe(200);
        expect(response.body.items.length).toBeGreaterThanOrEqual(atLeast);
        return response.body.items as Json[];
      },
      { timeoutMs: 20_000 },
    );
  }

  /** Rows in the notifications table caused by `eventId`. */
  async rowsFor(eventId: string): Promise<{ recipient_id: string; type: string }[]> {
    const { rows } = await this.db.query(
      'SELECT recipient_id, type FROM notifications WHERE source_event_id = $1 ORDER BY recipient_id',
      [eventId],
    );
    return rows;
  }
}

// One problem check for every service's tests (the kit's).
export { expectProblem } from '@moocflix/platform-testing';
