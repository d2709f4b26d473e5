import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createTestDatabase, waitFor } from '../../../../e2e/stack/control';
import type { Role } from '@moocflix/platform/auth';
import {
  createEvent,
  KafkaEventBus,
  type CloudEvent,
  type EventData,
  type Topic,
} from '@moocflix/platform/events';
import { LocalDiskObjectStorage } from '@moocflix/platform/storage';
import {
  startTestService,
  type RequestOptions,
  type TestResponse,
  type TestService,
  type TestTokenIssuer,
} from '@moocflix/platform/testing';
import { createNotificationsService } from '../../src/service';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
export const BASE = '/api/v1/notifications';

/** A JSON body as the API returns it; tests read its fields freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface User {
  id: string;
  role: Role;
  token: string;
}

/**
 * One notifications service per test file on the REAL stack: its own fresh database on the stack's
 * PostgreSQL, the Kafka bus on the real broker, real signed tokens. Other services' events reach it
 * through Kafka, published here in their place (or by those services themselves, in flow tests).
 */
export class NotificationsUnderTest {
  private constructor(
    readonly service: TestService,
    readonly bus: KafkaEventBus,
    private readonly ownsBus: boolean,
    private readonly storageDir: string,
  ) {}

  static async start(
    name: string,
    options: { bus?: KafkaEventBus; issuer?: TestTokenIssuer } = {},
  ): Promise<NotificationsUnderTest> {
    const bus =
      options.bus ??
      new KafkaEventBus({
        brokers: process.env.KAFKA_BROKERS!.split(','),
        clientId: `notifications-test-${name}-${randomUUID()}`,
        logger,
      });
    // Storage is part of the service context; this service stores no files.
    const storageDir = await mkdtemp(join(tmpdir(), 'notifications-test-'));
    const service = await startTestService({
      name: 'notifications',
      create: createNotificationsService,
      databaseUrl: await createTestDatabase(`notifications_${name}`),
      bus,
      storage: new LocalDiskObjectStorage({ rootDir: storageDir }),
      issuer: options.issuer,
    });
    return new NotificationsUnderTest(service, bus, !options.bus, storageDir);
  }

  async close(): Promise<void> {
    await this.service.close();
    if (this.ownsBus) await this.bus.close();
    await rm(this.storageDir, { recursive: true, force: true });
  }

  get db() {
    return this.service.ctx.pool;
  }

  async user(role: Role): Promise<User> {
    const id = randomUUID();
    return { id, role, token: await this.service.issuer.sign({ role, userId: id }) };
  }

  request(
    method: string,
    path: string,
    as: User | undefined,
    options: Omit<RequestOptions, 'token'> = {},
  ): Promise<TestResponse<Json>> {
    return this.service.request(method, `${BASE}${path}`, { ...options, token: as?.token });
  }

  /** Publishes an event to Kafka as its producer's outbox relay would; `id` repeats a delivery. */
  async publish<T extends Topic>(
    topic: T,
    subject: string,
    data: EventData<T>,
    id?: string,
  ): Promise<CloudEvent<EventData<T>>> {
    const event = createEvent(topic, { source: 'notifications-test', subject, data, id });
    await this.bus.publish([{ topic, key: subject, value: JSON.stringify(event) }]);
    return event;
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

export function expectProblem(response: TestResponse<Json>, status: number): void {
  expect({ status: response.status, body: response.body }).toMatchObject({ status, body: { status } });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}
