import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createTestDatabase, waitFor } from '../../../../e2e/stack/control';
import { createLogger } from '@moocflix/platform-core/log';
import { Topics, type CloudEvent, type EventData, type KafkaEventBus } from '@moocflix/platform-bus';
import { createObjectStorage, loadStorageConfig, type ObjectStorage } from '@moocflix/platform-storage';
import {
  EventRecorder,
  kafkaTestBus,
  publishEvent,
  ServiceUnderTest,
  startTestService,
  type TestResponse,
  type TestService,
  type TestUser,
} from '@moocflix/platform-testing';
import { createContentService } from '../../src/service';
import { multipartBody, type FormPart } from './multipart';

export const BASE = '/api/v1/content';

export type User = TestUser;

type TranscodingRequest = EventData<typeof Topics.TranscodingRequest>;
/** Events this test suite publishes in the courses service's or the transcoder's place. */
type ForeignTopic =
  | typeof Topics.CourseCreation
  | typeof Topics.CourseDeletion
  | typeof Topics.StudentEnrolled
  | typeof Topics.TranscodingProgress
  | typeof Topics.TranscodingCompleted;

/**
 * One content service per test file on the REAL stack: its own database on the stack's PostgreSQL,
 * the Kafka bus on the real broker, S3 storage on the stack's S3 server in a bucket of its own (so a
 * listing shows exactly what this file stored), real signed tokens. Next to it a recorder keeps every
 * Transcoding-Request that really reached Kafka.
 */
export class ContentUnderTest extends ServiceUnderTest<KafkaEventBus> {
  private recorder!: EventRecorder;

  private constructor(
    service: TestService,
    bus: KafkaEventBus,
    readonly storage: ObjectStorage,
    /** This file's own bucket on the stack's S3 server (S3_BUCKET for processes sharing it). */
    readonly bucket: string,
    readonly playbackSecret: string,
  ) {
    super(service, bus, BASE);
  }

  static async start(name: string, env: Record<string, string> = {}): Promise<ContentUnderTest> {
    const bus = kafkaTestBus(`content-test-${name}`);
    await bus.ensureTopics([Topics.TranscodingRequest]);
    const bucket = `content-${name}-${randomBytes(4).toString('hex')}`;
    const logger = createLogger('content-test', process.env.TEST_LOG_LEVEL ?? 'silent');
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
    const app = new ContentUnderTest(service, bus, storage, bucket, playbackSecret);
    app.recorder = await EventRecorder.start(bus, [Topics.TranscodingRequest], { startFrom: 'earliest' });
    return app;
  }

  override async close(): Promise<void> {
    await this.recorder.close();
    await super.close();
  }

  /** A GET of a URL the service handed out (a playlist's URI): no bearer token, as a player fetches it. */
  /**
   * The video as `as` reads it through the API, without posterUrl, whose playback token is fresh on
   * every read: what two reads are compared on.
   */
  async videoState(videoId: string, as: User): Promise<Record<string, unknown>> {
    const response = await this.request('GET', `/${videoId}`, as);
    expect(response.status).toBe(200);
    const { posterUrl: _fresh, ...video } = response.body as Record<string, unknown>;
    return video;
  }

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

  /** POST /upload of a raw body, with its own content-type. */
  postUpload(
    as: User | undefined,
    body: Buffer | ReadableStream<Uint8Array>,
    headers: Record<string, string>,
  ): Promise<TestResponse> {
    return this.request('POST', '/upload', as, { body, headers });
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
  publish<T extends ForeignTopic>(
    topic: T,
    subject: string,
    data: EventData<T>,
    id?: string,
  ): Promise<CloudEvent<EventData<T>>> {
    return publishEvent(this.bus, topic, { source: 'content-test', subject, data, id });
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
        (await this.db.query('SELECT 1 FROM projected_courses WHERE course_id = $1', [courseId])).rowCount ===
        1,
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

  /** Resolves once the content service's consumer has recorded (processed or skipped) every one of these events. */
  async waitUntilConsumed(...eventIds: string[]): Promise<void> {
    await waitFor(
      async () =>
        (
          await this.db.query(
            'SELECT 1 FROM platform_processed_events WHERE consumer_group = $1 AND event_id = ANY($2)',
            ['content', eventIds],
          )
        ).rowCount === eventIds.length,
      { timeoutMs: 30_000, description: 'the content service to consume the events' },
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
    return this.recorder.about(Topics.TranscodingRequest, videoId).map(({ key, event }) => {
      // The Kafka key must be the video id, so one video's events stay in order.
      if (key !== event.subject) throw new Error(`Transcoding-Request keyed ${key}, not ${event.subject}`);
      return event;
    });
  }
}

// One problem check for every service's tests (the kit's).
export { expectProblem } from '@moocflix/platform-testing';
