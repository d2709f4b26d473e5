import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '../../../../e2e/stack/control';
import { Topics, type CloudEvent, type EventData, type KafkaEventBus } from '@moocflix/platform-bus';
import {
  EventRecorder,
  kafkaTestBus,
  publishEvent,
  ServiceUnderTest,
  startTestService,
  type RecordedEvent,
  type TestUser,
} from '@moocflix/platform-testing';
import { createCoursesService } from '../../src/service';

/** The topics this service produces; the recorder listens to all of them. */
const PRODUCED_TOPICS = [
  Topics.CourseCreation,
  Topics.CourseUpdate,
  Topics.CourseDeletion,
  Topics.StudentEnrolled,
  Topics.ModuleCompleted,
] as const;
type ProducedTopic = (typeof PRODUCED_TOPICS)[number];

/** A JSON body as the API returns it; tests read its fields freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export type User = TestUser;
export type { RecordedEvent };

/**
 * One courses service per test file, as in production: its own fresh database on the stack's
 * PostgreSQL, the Kafka bus on the stack's real broker, real signed tokens. Next to it, a recorder
 * (its own consumer group, from the earliest offset) keeps every event that really reached Kafka.
 */
export class CoursesUnderTest extends ServiceUnderTest<KafkaEventBus> {
  private recorder!: EventRecorder;

  static async start(name: string): Promise<CoursesUnderTest> {
    const bus = kafkaTestBus(`courses-test-${name}`);
    const service = await startTestService({
      name: 'courses',
      create: createCoursesService,
      databaseUrl: await createTestDatabase(`courses_${name}`),
      bus,
    });
    const app = new CoursesUnderTest(service, bus, '/api/v1/courses');
    // As sent: these tests check this service's exact payloads, which a schema parse would trim.
    app.recorder = await EventRecorder.start(bus, [...PRODUCED_TOPICS], {
      startFrom: 'earliest',
      asSent: true,
    });
    return app;
  }

  override async close(): Promise<void> {
    await this.recorder.close();
    await super.close();
  }

  /** Creates a course as `owner` and returns it (asserting the 201). */
  async createCourse(owner: User, fields: Record<string, unknown> = {}): Promise<Json> {
    const response = await this.request('POST', '', owner, {
      body: {
        title: `Course ${randomUUID().slice(0, 8)}`,
        description: 'A course',
        published: true,
        ...fields,
      },
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  /** Events of `topic` whose subject (the course id; Module-Completed: the learner's id) is `subject`, as they arrived on Kafka. */
  eventsFor<T extends ProducedTopic>(topic: T, subject: string): RecordedEvent<T>[] {
    return this.recorder.about(topic, subject);
  }

  /** Publishes a users-service event straight to Kafka, as the users service's outbox relay would. */
  publishUserEvent<T extends typeof Topics.UserCreation | typeof Topics.UserUpdate>(
    topic: T,
    data: EventData<T>,
    id?: string,
  ): Promise<CloudEvent<EventData<T>>> {
    return publishEvent(this.bus, topic, { source: 'users', subject: data.userId, data, id });
  }

  /** Announces an uploaded video straight on Kafka, as the content service's outbox relay would. */
  publishVideoUploaded(
    data: EventData<typeof Topics.VideoUploaded>,
  ): Promise<CloudEvent<EventData<typeof Topics.VideoUploaded>>> {
    return publishEvent(this.bus, Topics.VideoUploaded, { source: 'content', subject: data.videoId, data });
  }

  /** A video of `courseId` known to this service (announced, then waited for in the projection). */
  async uploadedVideo(courseId: string, uploaderId: string): Promise<string> {
    const videoId = randomUUID();
    await this.publishVideoUploaded({ videoId, courseId, uploaderId });
    for (let i = 0; i < 200; i++) {
      const { rowCount } = await this.db.query('SELECT 1 FROM known_videos WHERE video_id = $1', [videoId]);
      if (rowCount) return videoId;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`video ${videoId} never reached the projection`);
  }
}
