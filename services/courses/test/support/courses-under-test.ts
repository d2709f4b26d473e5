import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createTestDatabase } from '../../../../e2e/stack/control';
import type { Role } from '@moocflix/platform/auth';
import { createEvent, KafkaEventBus, Topics, type CloudEvent, type EventData, type Topic } from '@moocflix/platform/events';
import { LocalDiskObjectStorage } from '@moocflix/platform/storage';
import { startTestService, type RequestOptions, type TestResponse, type TestService } from '@moocflix/platform/testing';
import { createCoursesService } from '../../src/service';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The topics this service produces; the recorder listens to all of them. */
const PRODUCED_TOPICS = [Topics.CourseCreation, Topics.CourseUpdate, Topics.CourseDeletion, Topics.StudentEnrolled] as const;
type ProducedTopic = (typeof PRODUCED_TOPICS)[number];

/** A JSON body as the API returns it; tests read its fields freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface RecordedEvent<T extends Topic = Topic> {
  topic: T;
  key: string | null;
  event: CloudEvent<EventData<T>>;
}

export interface User {
  id: string;
  role: Role;
  token: string;
}

/**
 * One courses service per test file, as in production: its own fresh database on the stack's
 * PostgreSQL, the Kafka bus on the stack's real broker, real signed tokens. Next to it, a recorder
 * (its own consumer group, from the earliest offset) keeps every event that really reached Kafka.
 */
export class CoursesUnderTest {
  private constructor(
    readonly service: TestService,
    private readonly bus: KafkaEventBus,
    private readonly recorded: RecordedEvent[],
    private readonly closeRecorder: () => Promise<void>,
    private readonly storageDir: string,
  ) {}

  static async start(name: string): Promise<CoursesUnderTest> {
    const bus = new KafkaEventBus({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: `courses-test-${name}`, logger });
    const storageDir = await mkdtemp(join(tmpdir(), 'courses-test-'));
    const service = await startTestService({
      name: 'courses',
      create: createCoursesService,
      databaseUrl: await createTestDatabase(`courses_${name}`),
      bus,
      storage: new LocalDiskObjectStorage({ rootDir: storageDir }),
    });
    const recorded: RecordedEvent[] = [];
    const subscription = await bus.subscribe({
      groupId: `courses-test-recorder-${randomUUID()}`,
      topics: [...PRODUCED_TOPICS],
      startFrom: 'earliest',
      handler: async (message) => {
        recorded.push({ topic: message.topic as Topic, key: message.key, event: JSON.parse(message.value) });
      },
    });
    return new CoursesUnderTest(service, bus, recorded, () => subscription.close(), storageDir);
  }

  async close(): Promise<void> {
    await this.closeRecorder();
    await this.service.close();
    await this.bus.close();
    await rm(this.storageDir, { recursive: true, force: true });
  }

  get db() {
    return this.service.ctx.pool;
  }

  async user(role: Role): Promise<User> {
    const id = randomUUID();
    return { id, role, token: await this.service.issuer.sign({ role, userId: id }) };
  }

  request<T = Json>(method: string, path: string, as: User | undefined, options: Omit<RequestOptions, 'token'> = {}): Promise<TestResponse<T>> {
    return this.service.request<T>(method, `/api/v1/courses${path}`, { ...options, token: as?.token });
  }

  /** Creates a course as `owner` and returns it (asserting the 201). */
  async createCourse(owner: User, fields: Record<string, unknown> = {}): Promise<Json> {
    const response = await this.request('POST', '', owner, {
      body: { title: `Course ${randomUUID().slice(0, 8)}`, description: 'A course', published: true, ...fields },
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  /** Events of `topic` whose subject (the course id) is `subject`, as they arrived on Kafka. */
  eventsFor<T extends ProducedTopic>(topic: T, subject: string): RecordedEvent<T>[] {
    return this.recorded.filter((r): r is RecordedEvent<T> => r.topic === topic && r.event.subject === subject);
  }

  /** Publishes a users-service event straight to Kafka, as the users service's outbox relay would. */
  async publishUserEvent<T extends typeof Topics.UserCreation | typeof Topics.UserUpdate>(
    topic: T,
    data: EventData<T>,
    id?: string,
  ): Promise<CloudEvent<EventData<T>>> {
    const event = createEvent(topic, { source: 'users', subject: data.userId, data, id });
    await this.bus.publish([{ topic, key: data.userId, value: JSON.stringify(event) }]);
    return event;
  }

  /** Publishes an already-built event again: a redelivery, same id. */
  async republish(topic: Topic, event: CloudEvent): Promise<void> {
    await this.bus.publish([{ topic, key: event.subject, value: JSON.stringify(event) }]);
  }

  /** Rows of the outbox for `subject` on `topic`: what the service committed to emit. */
  async outboxRows(topic: Topic, subject: string): Promise<{ published: boolean }[]> {
    const { rows } = await this.db.query<{ published: boolean }>(
      'SELECT published_at IS NOT NULL AS published FROM platform_outbox WHERE topic = $1 AND message_key = $2 ORDER BY seq',
      [topic, subject],
    );
    return rows;
  }
}
