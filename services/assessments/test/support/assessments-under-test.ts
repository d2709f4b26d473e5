import { randomUUID } from 'node:crypto';
import { createTestDatabase, waitFor } from '../../../../e2e/stack/control';
import {
  Topics,
  type CloudEvent,
  type EventData,
  type KafkaEventBus,
  type Topic,
} from '@moocflix/platform-bus';
import {
  EventRecorder,
  kafkaTestBus,
  publishEvent,
  ServiceUnderTest,
  startTestService,
  type RecordedEvent,
  type TestTokenIssuer,
  type TestUser,
} from '@moocflix/platform-testing';
import { createAssessmentsService } from '../../src/service';

export const BASE = '/api/v1/assessments';

/** The topics this service produces; the recorder keeps what really reached Kafka. */
const PRODUCED_TOPICS = [
  Topics.AssessmentCreation,
  Topics.SubmissionCompleted,
  Topics.GradingCompleted,
] as const;
type ProducedTopic = (typeof PRODUCED_TOPICS)[number];
/** What this suite publishes in the courses service's place. */
type CourseTopic =
  typeof Topics.CourseCreation | typeof Topics.CourseDeletion | typeof Topics.StudentEnrolled;

/** A JSON body as the API returns it; tests read its fields freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export type User = TestUser;
export type { RecordedEvent };

/**
 * One assessments service per test file on the REAL stack: its own fresh database on the stack's
 * PostgreSQL, the Kafka bus on the real broker, real signed tokens. Courses and enrollments reach it
 * as they would in production: as events on Kafka, which this suite publishes in the courses
 * service's place. A recorder (its own consumer group) keeps every event the service published.
 */
export class AssessmentsUnderTest extends ServiceUnderTest<KafkaEventBus> {
  private recorder!: EventRecorder;

  /** `issuer` lets a service started beside this one accept the same users' tokens. */
  static async start(
    name: string,
    options: { issuer?: TestTokenIssuer } = {},
  ): Promise<AssessmentsUnderTest> {
    const bus = kafkaTestBus(`assessments-test-${name}`);
    const service = await startTestService({
      name: 'assessments',
      create: createAssessmentsService,
      databaseUrl: await createTestDatabase(`assessments_${name}`),
      bus,
      issuer: options.issuer,
    });
    const app = new AssessmentsUnderTest(service, bus, BASE);
    app.recorder = await EventRecorder.start(bus, [...PRODUCED_TOPICS], { startFrom: 'earliest' });
    return app;
  }

  override async close(): Promise<void> {
    await this.recorder.close();
    await super.close();
  }

  /** Publishes an event to Kafka as the courses service's outbox relay would; `id` repeats a delivery. */
  publish<T extends CourseTopic>(
    topic: T,
    subject: string,
    data: EventData<T>,
    id?: string,
  ): Promise<CloudEvent<EventData<T>>> {
    return publishEvent(this.bus, topic, { source: 'courses', subject, data, id });
  }

  /**
   * A course owned by `owner` with `students` actively enrolled, announced by Course-Creation and
   * Student-Enrolled events; resolves once this service's projections show all of it.
   */
  async course(owner: User, students: User[] = []): Promise<string> {
    const courseId = randomUUID();
    const now = new Date().toISOString();
    await this.publish(Topics.CourseCreation, courseId, {
      courseId,
      instructorId: owner.id,
      title: `Course ${courseId.slice(0, 8)}`,
      published: true,
      category: null,
      capacity: null,
      createdAt: now,
    });
    for (const student of students) await this.enroll(courseId, owner, student);
    await waitFor(
      async () => {
        const { rows } = await this.db.query(
          `SELECT (SELECT count(*)::int FROM projected_courses WHERE course_id = $1) AS courses,
                  (SELECT count(*)::int FROM projected_enrollments WHERE course_id = $1 AND status = 'active') AS students`,
          [courseId],
        );
        expect(rows[0]).toEqual({ courses: 1, students: students.length });
      },
      { timeoutMs: 20_000 },
    );
    return courseId;
  }

  /** Publishes a Student-Enrolled event (status active or inactive) without waiting for it. */
  enroll(
    courseId: string,
    owner: User,
    student: User,
    status: 'active' | 'inactive' = 'active',
  ): Promise<CloudEvent> {
    return this.publish(Topics.StudentEnrolled, courseId, {
      courseId,
      studentId: student.id,
      instructorId: owner.id,
      status,
      enrolledAt: new Date().toISOString(),
    });
  }

  /** Waits until this service's enrollment projection shows `status` for the student. */
  async enrollmentIs(courseId: string, student: User, status: 'active' | 'inactive'): Promise<void> {
    await waitFor(
      async () => {
        const { rows } = await this.db.query(
          'SELECT status FROM projected_enrollments WHERE course_id = $1 AND student_id = $2',
          [courseId, student.id],
        );
        expect(rows[0]?.status).toBe(status);
      },
      { timeoutMs: 20_000 },
    );
  }

  /** Creates an assessment as `owner` (asserting the 201). */
  async createAssessment(owner: User, courseId: string, fields: Record<string, unknown>): Promise<Json> {
    const response = await this.request('POST', '', owner, {
      body: { courseId, title: `Quiz ${randomUUID().slice(0, 8)}`, type: 'quiz', ...fields },
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  /** Events of `topic` about assessment `assessmentId` that reached Kafka, once at least `atLeast` have. */
  async eventsFor<T extends ProducedTopic>(
    topic: T,
    assessmentId: string,
    atLeast = 1,
  ): Promise<RecordedEvent<T>[]> {
    return waitFor(
      () => {
        const events = this.recordedFor(topic, assessmentId);
        expect(events.length).toBeGreaterThanOrEqual(atLeast);
        return events;
      },
      { timeoutMs: 20_000 },
    );
  }

  /** What has arrived so far, without waiting. */
  recordedFor<T extends ProducedTopic>(topic: T, assessmentId: string): RecordedEvent<T>[] {
    return this.recorder.about(topic, assessmentId);
  }

  /** Outbox rows committed for the assessment on `topic` (what the service promised to publish). */
  async outboxCount(topic: Topic, assessmentId: string): Promise<number> {
    return (await this.outboxRows(topic, assessmentId)).length;
  }
}

// One problem check for every service's tests (the kit's).
export { expectProblem } from '@moocflix/platform-testing';
