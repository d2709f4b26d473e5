import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import pino from 'pino';
import { createTestDatabase, waitFor } from '../../../../e2e/stack/control';
import type { Role } from '@moocflix/platform/auth';
import {
  createEvent,
  KafkaEventBus,
  parseEvent,
  Topics,
  type CloudEvent,
  type EventData,
  type Subscription,
  type Topic,
} from '@moocflix/platform/events';
import { createObjectStorage, loadStorageConfig, type ObjectStorage } from '@moocflix/platform/storage';
import {
  startTestService,
  type RequestOptions,
  type TestResponse,
  type TestService,
} from '@moocflix/platform/testing';
import { createContentService } from '../../src/service';
import { multipartBody, type FormPart } from './multipart';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
export const BASE = '/api/v1/content';

export interface User {
  id: string;
  role: Role;
  token: string;
}

type TranscodingRequest = EventData<typeof Topics.TranscodingRequest>;
/** Events this test suite publishes in the courses service's or the transcoder's place. */
type ForeignTopic =
  | typeof Topics.CourseCreation
  | typeof Topics.CourseDeletion
  | typeof Topics.StudentEnrolled
  | typeof Topics.TranscodingProgress
  | typeof Topics.TranscodingCompleted;

export const kafkaBus = (name: string): KafkaEventBus =>
  new KafkaEventBus({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    clientId: `${name}-${randomUUID()}`,
    logger,
  });

/**
 * One content service per test file on the REAL stack: its own database on the stack's PostgreSQL,
 * the Kafka bus on the real broker, S3 storage on the stack's S3 server in a bucket of its own (so a
 * listing shows exactly what this file stored), real signed tokens. Next to it a recorder keeps every
 * Transcoding-Request that really reached Kafka.
 */
export class ContentUnderTest {
  private constructor(
    readonly service: TestService,
    readonly storage: ObjectStorage,
    /** This file's own bucket on the stack's S3 server (S3_BUCKET for processes sharing it). */
    readonly bucket: string,
    readonly bus: KafkaEventBus,
    readonly playbackSecret: string,
    private readonly requests: CloudEvent<TranscodingRequest>[],
    private readonly recorder: Subscription,
  ) {}

  static async start(name: string, env: Record<string, string> = {}): Promise<ContentUnderTest> {
    const bus = kafkaBus(`content-test-${name}`);
    await bus.ensureTopics([Topics.TranscodingRequest]);
    const bucket = `content-${name}-${randomBytes(4).toString('hex')}`;
    const storage = createObjectStorage(loadStorageConfig({ ...process.env, S3_BUCKET: bucket }), logger);
    await storage.ensureBucket();
    const playbackSecret = randomBytes(32).toString('base64url');
    const service = await startTestService({
      name: 'content',
      create: createContentService,
      databaseUrl: await createTestDatabase(`content_${name}`),
      bus,
      storage,
      env: { PLAYBACK_TOKEN_SECRET: playbackSecret, ...env },
    });
    const requests: CloudEvent<TranscodingRequest>[] = [];
    const recorder = await bus.subscribe({
      groupId: `content-test-recorder-${randomUUID()}`,
      topics: [Topics.TranscodingRequest],
      startFrom: 'earliest',
      handler: async (message) => {
        const event = parseEvent(Topics.TranscodingRequest, message.value);
        // The Kafka key must be the video id, so one video's events stay in order.
        if (message.key !== event.subject)
          throw new Error(`Transcoding-Request keyed ${message.key}, not ${event.subject}`);
        requests.push(event);
      },
    });
    return new ContentUnderTest(service, storage, bucket, bus, playbackSecret, requests, recorder);
  }

  async close(): Promise<void> {
    await this.recorder.close();
    await this.service.close();
    await this.bus.close();
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
  ): Promise<TestResponse> {
    return this.service.request(method, `${BASE}${path}`, { ...options, token: as?.token });
  }

  /** A GET of a URL the service handed out (a playlist's URI): no bearer token, as a player fetches it. */
  async fetchUrl(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const response = await fetch(new URL(url, this.service.url), { headers });
    return {
      status: response.status,
      headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }

  /** POST /upload with the parts in the given order. */
  uploadParts(as: User | undefined, parts: FormPart[]): Promise<TestResponse> {
    const { body, contentType } = multipartBody(parts);
    return this.postUpload(as, body, { 'content-type': contentType });
  }

  /** POST /upload of a raw body (the harness's request() JSON-encodes bodies). */
  async postUpload(
    as: User | undefined,
    body: Buffer | ReadableStream<Uint8Array>,
    headers: Record<string, string>,
  ): Promise<TestResponse> {
    const response = await fetch(`${this.service.url}${BASE}/upload`, {
      method: 'POST',
      body,
      headers: { ...headers, ...(as ? { authorization: `Bearer ${as.token}` } : {}) },
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    const text = await response.text();
    const isJson = /json/.test(response.headers.get('content-type') ?? '');
    return {
      status: response.status,
      headers: response.headers,
      body: isJson && text ? JSON.parse(text) : text,
    };
  }

  /** POST /upload of a local file, fields first as the contract asks. */
  async upload(
    as: User,
    courseId: string,
    file: string,
    title = `Lecture ${randomUUID().slice(0, 8)}`,
  ): Promise<TestResponse> {
    return this.uploadParts(as, [
      { name: 'courseId', value: courseId },
      { name: 'title', value: title },
      { name: 'file', filename: basename(file), content: await readFile(file) },
    ]);
  }

  /** Publishes an event to Kafka as its producer (the courses service, the transcoder) would. */
  async publish<T extends ForeignTopic>(
    topic: T,
    subject: string,
    data: EventData<T>,
    id?: string,
  ): Promise<CloudEvent<EventData<T>>> {
    const event = createEvent(topic, { source: 'content-test', subject, data, id });
    await this.republish(topic, event);
    return event;
  }

  /** Publishes an already-built event again: a redelivery, same id. */
  async republish(topic: Topic, event: CloudEvent): Promise<void> {
    await this.bus.publish([{ topic, key: event.subject, value: JSON.stringify(event) }]);
  }

  /** A course owned by `owner`, announced by a Course-Creation event; resolves once this service knows it. */
  async knownCourse(owner: User): Promise<string> {
    const courseId = randomUUID();
    await this.publish(Topics.CourseCreation, courseId, {
      courseId,
      instructorId: owner.id,
      title: 'Distributed Systems',
      published: true,
      category: null,
      capacity: null,
      createdAt: new Date().toISOString(),
    });
    await waitFor(
      async () =>
        (await this.db.query('SELECT 1 FROM projected_courses WHERE course_id = $1', [courseId])).rowCount === 1,
      {
        timeoutMs: 60_000,
        description: `the content service to consume Course-Creation of ${courseId}`,
      },
    );
    return courseId;
  }

  /** Enrolls `student` (Student-Enrolled); resolves once this service knows it. */
  async enroll(
    student: User,
    courseId: string,
    instructorId: string,
    status: 'active' | 'inactive' = 'active',
  ): Promise<void> {
    await this.publish(Topics.StudentEnrolled, courseId, {
      courseId,
      studentId: student.id,
      instructorId,
      status,
      enrolledAt: new Date().toISOString(),
    });
    await waitFor(
      async () =>
        (
          await this.db.query(
            'SELECT 1 FROM projected_enrollments WHERE course_id = $1 AND student_id = $2 AND status = $3',
            [courseId, student.id, status],
          )
        ).rowCount === 1,
      { timeoutMs: 30_000, description: `the content service to consume Student-Enrolled of ${student.id}` },
    );
  }

  async videoRow(videoId: string): Promise<Record<string, unknown> | undefined> {
    return (await this.db.query('SELECT * FROM videos WHERE id = $1', [videoId])).rows[0];
  }

  async videoCount(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM videos')).rows[0]!.n;
  }

  /** Every object key in this file's bucket under `prefix`. */
  async objectKeys(prefix = 'videos/'): Promise<string[]> {
    return (await this.storage.list(prefix)).map((o) => o.key);
  }

  /** Transcoding-Request events that reached Kafka for the video. */
  requestsFor(videoId: string): CloudEvent<TranscodingRequest>[] {
    return this.requests.filter((event) => event.subject === videoId);
  }

  async outboxRows(topic: Topic, subject: string): Promise<{ published: boolean }[]> {
    const { rows } = await this.db.query<{ published: boolean }>(
      'SELECT published_at IS NOT NULL AS published FROM platform_outbox WHERE topic = $1 AND message_key = $2 ORDER BY seq',
      [topic, subject],
    );
    return rows;
  }
}

/** A problem+json answer with this status (RFC 9457), never a bare or HTML error. */
export function expectProblem(
  response: Pick<TestResponse, 'status' | 'headers' | 'body'>,
  status: number,
): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body.status).toBe(status);
}
