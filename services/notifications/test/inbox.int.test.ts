import { randomUUID } from 'node:crypto';
import { Topics, type EventData } from '@moocflix/platform-bus';
import {
  expectProblem,
  NotificationsUnderTest,
  type Json,
  type User,
} from './support/notifications-under-test';

// jest ignores the integration project's testTimeout (a global option), so the file sets its own:
// starting the service joins a Kafka consumer group, and every event takes a trip through Kafka.
jest.setTimeout(60_000);

let app: NotificationsUnderTest;
let instructor: User;

beforeAll(async () => {
  app = await NotificationsUnderTest.start('inbox');
  instructor = await app.user('instructor');
});
afterAll(async () => {
  await app?.close();
});

const now = () => new Date().toISOString();
const newStudent = () => app.user('student');

async function course(title: string): Promise<string> {
  const courseId = randomUUID();
  const event = await app.publish(Topics.CourseCreation, courseId, {
    courseId,
    instructorId: instructor.id,
    title,
    published: true,
    category: null,
    capacity: null,
    createdAt: now(),
  });
  await app.processed(event);
  return courseId;
}

const enroll = (courseId: string, student: User, status: 'active' | 'inactive' = 'active') =>
  app.publish(Topics.StudentEnrolled, courseId, {
    courseId,
    studentId: student.id,
    instructorId: instructor.id,
    status,
    enrolledAt: now(),
  });

function assessmentCreation(courseId: string): EventData<typeof Topics.AssessmentCreation> {
  return {
    assessmentId: randomUUID(),
    courseId,
    instructorId: instructor.id,
    title: 'Week 2 quiz',
    type: 'quiz',
    dueAt: null,
    createdAt: now(),
  };
}

function grading(student: User, title = 'Essay 1'): EventData<typeof Topics.GradingCompleted> {
  return {
    submissionId: randomUUID(),
    assessmentId: randomUUID(),
    courseId: randomUUID(),
    studentId: student.id,
    title,
    score: 8,
    maxScore: 10,
    feedback: 'Well done.',
    gradedBy: instructor.id,
    gradedAt: now(),
  };
}

describe('notifications from events', () => {
  it('Student-Enrolled: tells the student they are enrolled and the instructor they have a new student', async () => {
    const courseId = await course('Linear Algebra');
    const student = await newStudent();
    const event = await enroll(courseId, student);

    const [notification] = await app.inbox(student);
    expect(notification).toEqual({
      id: expect.any(String),
      type: 'enrollment.confirmed',
      title: 'Enrolled in “Linear Algebra”',
      body: 'You are now enrolled in “Linear Algebra”.',
      read: false,
      readAt: null,
      createdAt: expect.any(String),
      data: { courseId },
    });
    expect(await app.rowsFor(event.id)).toEqual(
      [
        { recipient_id: student.id, type: 'enrollment.confirmed' },
        { recipient_id: instructor.id, type: 'enrollment.new-student' },
      ].sort((a, b) => a.recipient_id.localeCompare(b.recipient_id)),
    );
  });

  it('Student-Enrolled inactive: no notification, but the student no longer hears of new assessments', async () => {
    const courseId = await course('Topology');
    const student = await newStudent();
    await app.processed(await enroll(courseId, student));
    const leaving = await enroll(courseId, student, 'inactive');
    await app.processed(leaving);
    expect(await app.rowsFor(leaving.id)).toEqual([]);

    const announcement = await app.publish(
      Topics.AssessmentCreation,
      randomUUID(),
      assessmentCreation(courseId),
    );
    await app.processed(announcement);
    expect(await app.rowsFor(announcement.id)).toEqual([]);
  });

  it('Assessment-Creation: notifies every ACTIVE student of that course, and nobody else', async () => {
    const courseId = await course('Number Theory');
    const otherCourseId = await course('Geometry');
    const [ann, ben, gone, elsewhere] = await Promise.all([
      newStudent(),
      newStudent(),
      newStudent(),
      newStudent(),
    ]);
    for (const event of [
      await enroll(courseId, ann),
      await enroll(courseId, ben),
      await enroll(courseId, gone),
      await enroll(otherCourseId, elsewhere),
    ]) {
      await app.processed(event);
    }
    await app.processed(await enroll(courseId, gone, 'inactive'));

    const data = { ...assessmentCreation(courseId), dueAt: '2030-05-01T10:00:00.000Z' };
    const event = await app.publish(Topics.AssessmentCreation, data.assessmentId, data);
    const [latest] = await app.inbox(ann, 2);
    expect(latest).toMatchObject({
      type: 'assessment.created',
      title: 'New quiz: Week 2 quiz',
      body: 'A new quiz was added to “Number Theory”. It is due 2030-05-01T10:00:00.000Z.',
      read: false,
      data: { courseId, assessmentId: data.assessmentId, dueAt: data.dueAt },
    });
    expect((await app.rowsFor(event.id)).map((r) => r.recipient_id)).toEqual([ann.id, ben.id].sort());
  });

  it('Submission-Completed notifies the instructor; Grading-Completed the student', async () => {
    const student = await newStudent();
    const submission = await app.publish(Topics.SubmissionCompleted, randomUUID(), {
      submissionId: randomUUID(),
      assessmentId: randomUUID(),
      courseId: randomUUID(),
      studentId: student.id,
      instructorId: instructor.id,
      title: 'Essay 1',
      attempt: 1,
      status: 'submitted',
      score: null,
      maxScore: 10,
      submittedAt: now(),
    });
    const graded = await app.publish(Topics.GradingCompleted, randomUUID(), grading(student));

    const [studentNotification] = await app.inbox(student);
    expect(studentNotification).toMatchObject({
      type: 'grading.completed',
      title: 'Graded: Essay 1',
      body: 'You scored 8 of 10 points on “Essay 1”. Feedback: Well done.',
      data: { submissionId: graded.data.submissionId, score: 8, maxScore: 10 },
    });
    await app.processed(submission);
    expect(await app.rowsFor(submission.id)).toEqual([
      { recipient_id: instructor.id, type: 'submission.received' },
    ]);
    expect(await app.rowsFor(graded.id)).toEqual([{ recipient_id: student.id, type: 'grading.completed' }]);
  });

  it.each(['request first', 'completion first'])(
    'Transcoding-Completed notifies the uploader once (%s)',
    async (order) => {
      const uploader = await app.user('instructor');
      const requestId = randomUUID();
      const videoId = randomUUID();
      const publishRequest = () =>
        app.publish(Topics.TranscodingRequest, videoId, {
          requestId,
          videoId,
          courseId: randomUUID(),
          requestedBy: uploader.id,
          sourceKey: `uploads/${videoId}`,
          outputPrefix: `videos/${videoId}`,
          sourceFormat: 'mov,mp4,m4a,3gp,3g2,mj2',
          requestedAt: now(),
        });
      const completion = {
        requestId,
        videoId,
        status: 'succeeded' as const,
        renditions: [{ name: '360p', width: 640, height: 360, bandwidth: 800_000 }],
        masterPlaylistKey: `videos/${videoId}/master.m3u8`,
        posterKey: null,
        durationSeconds: 12,
        error: null,
        completedAt: now(),
      };
      const publishCompletion = () => app.publish(Topics.TranscodingCompleted, videoId, completion);

      const [first, second] =
        order === 'request first' ? [publishRequest, publishCompletion] : [publishCompletion, publishRequest];
      await app.processed(await first());
      expect(await app.request('GET', '', uploader).then((r) => r.body.items)).toEqual([]);
      await app.processed(await second());
      // A second, different completion of the same request (e.g. an operator's late terminal event) adds nothing.
      await app.processed(
        await app.publish(Topics.TranscodingCompleted, videoId, {
          ...completion,
          status: 'failed',
          error: 'Job died',
        }),
      );

      const inbox = await app.inbox(uploader);
      expect(inbox).toEqual([
        expect.objectContaining({
          type: 'transcoding.succeeded',
          title: 'Your video is ready',
          data: { videoId, requestId },
        }),
      ]);
    },
  );

  it('Transcoding-Completed of a run that died (retryable) notifies nobody; the video’s outcome notifies once', async () => {
    const uploader = await app.user('instructor');
    const requestId = randomUUID();
    const videoId = randomUUID();
    await app.processed(
      await app.publish(Topics.TranscodingRequest, videoId, {
        requestId,
        attemptId: requestId,
        attempt: 1,
        videoId,
        courseId: randomUUID(),
        requestedBy: uploader.id,
        sourceKey: `uploads/${videoId}`,
        outputPrefix: `videos/${videoId}/hls/${requestId}/`,
        sourceFormat: 'mov,mp4,m4a,3gp,3g2,mj2',
        requestedAt: now(),
      }),
    );
    const failedRun = (attemptId: string, attempt: number) => ({
      requestId,
      attemptId,
      attempt,
      videoId,
      status: 'failed' as const,
      renditions: [],
      masterPlaylistKey: null,
      posterKey: null,
      durationSeconds: null,
      error: 'Job tj-x failed: BackoffLimitExceeded',
      retryable: true,
      completedAt: now(),
    });
    // Attempts 1 and 2 died; the content service attempts the request again each time.
    await app.processed(await app.publish(Topics.TranscodingCompleted, videoId, failedRun(requestId, 1)));
    await app.processed(await app.publish(Topics.TranscodingCompleted, videoId, failedRun(randomUUID(), 2)));
    expect(await app.request('GET', '', uploader).then((r) => r.body.items)).toEqual([]);
    // Attempt 3 succeeds: that is the outcome.
    const attempt3 = randomUUID();
    await app.processed(
      await app.publish(Topics.TranscodingCompleted, videoId, {
        ...failedRun(attempt3, 3),
        status: 'succeeded',
        renditions: [{ name: '360p', width: 640, height: 360, bandwidth: 800_000 }],
        masterPlaylistKey: `videos/${videoId}/hls/${attempt3}/master.m3u8`,
        durationSeconds: 12,
        error: null,
        retryable: undefined,
      }),
    );
    expect(await app.inbox(uploader)).toEqual([
      expect.objectContaining({ type: 'transcoding.succeeded', data: { videoId, requestId } }),
    ]);
  });
});

describe('idempotency', () => {
  it('turns the same event delivered twice into one notification per recipient', async () => {
    const courseId = await course('Logic');
    const [ann, ben] = await Promise.all([newStudent(), newStudent()]);
    await app.processed(await enroll(courseId, ann));
    await app.processed(await enroll(courseId, ben));
    const data = assessmentCreation(courseId);

    const event = await app.publish(Topics.AssessmentCreation, data.assessmentId, data);
    await app.processed(event);
    await app.publish(Topics.AssessmentCreation, data.assessmentId, data, event.id);
    // The redelivery is consumed after anything published before it: wait for a later marker event.
    await app.processed(
      await app.publish(Topics.AssessmentCreation, data.assessmentId, assessmentCreation(randomUUID())),
    );
    expect(await app.rowsFor(event.id)).toHaveLength(2);
    expect((await app.inbox(ann)).filter((n) => n.data.assessmentId === data.assessmentId)).toHaveLength(1);
  });

  it('holds even when the processed-events record is gone: the (event, recipient) constraint keeps one', async () => {
    const student = await newStudent();
    const event = await app.publish(Topics.GradingCompleted, randomUUID(), grading(student));
    await app.processed(event);
    // As if the consumer had lost its dedupe record (restored backup, new consumer group name).
    await app.db.query('DELETE FROM platform_processed_events WHERE event_id = $1', [event.id]);
    await app.publish(Topics.GradingCompleted, event.subject, event.data, event.id);
    await app.processed(event);
    expect(await app.rowsFor(event.id)).toHaveLength(1);
  });
});

describe('the inbox API', () => {
  let reader: User;
  let items: Json[];
  beforeAll(async () => {
    reader = await newStudent();
    for (let i = 1; i <= 5; i++)
      await app.processed(
        await app.publish(Topics.GradingCompleted, randomUUID(), grading(reader, `Essay ${i}`)),
      );
    items = await app.inbox(reader, 5);
  });

  it('lists the caller’s own notifications newest first, a page at a time, with the unread count', async () => {
    expect(items.map((n) => n.title)).toEqual([
      'Graded: Essay 5',
      'Graded: Essay 4',
      'Graded: Essay 3',
      'Graded: Essay 2',
      'Graded: Essay 1',
    ]);
    const first = await app.request('GET', '?limit=2', reader);
    expect(first.body).toEqual({ items: items.slice(0, 2), nextCursor: expect.any(String), unreadCount: 5 });
    const second = await app.request('GET', `?limit=2&cursor=${first.body.nextCursor}`, reader);
    const third = await app.request('GET', `?limit=2&cursor=${second.body.nextCursor}`, reader);
    expect([...second.body.items, ...third.body.items]).toEqual(items.slice(2));
    expect(third.body.nextCursor).toBeNull();
    // Nobody else sees them.
    const other = await newStudent();
    expect((await app.request('GET', '', other)).body).toEqual({
      items: [],
      nextCursor: null,
      unreadCount: 0,
    });
  });

  it('marks one read (the owner only; someone else’s is 404), and filters unread', async () => {
    const target = items[1];
    const other = await newStudent();
    expectProblem(await app.request('POST', `/${target.id}/read`, other), 404);
    expect(
      (await app.db.query('SELECT read_at FROM notifications WHERE id = $1', [target.id])).rows[0].read_at,
    ).toBeNull();

    const response = await app.request('POST', `/${target.id}/read`, reader);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...target, read: true, readAt: expect.any(String) });
    const again = await app.request('POST', `/${target.id}/read`, reader);
    expect(again.body.readAt).toBe(response.body.readAt);

    const unread = await app.request('GET', '?unread=true', reader);
    expect(unread.body.items.map((n: Json) => n.id)).toEqual(
      items.filter((n) => n.id !== target.id).map((n) => n.id),
    );
    expect(unread.body.unreadCount).toBe(4);
  });

  it('marks everything read', async () => {
    const response = await app.request('POST', '/read-all', reader);
    expect(response.body).toEqual({ updated: 4 });
    expect((await app.request('GET', '?unread=true', reader)).body).toEqual({
      items: [],
      nextCursor: null,
      unreadCount: 0,
    });
    const { rows } = await app.db.query(
      'SELECT count(*)::int AS n FROM notifications WHERE recipient_id = $1 AND read_at IS NULL',
      [reader.id],
    );
    expect(rows[0].n).toBe(0);
  });

  it('validates: unknown query fields, bad ids and cursors are 400; unknown ids 404; no token 401', async () => {
    expectProblem(await app.request('GET', '?unread=yes', reader), 400);
    expectProblem(await app.request('GET', '?page=2', reader), 400);
    expectProblem(await app.request('GET', '?limit=101', reader), 400);
    expectProblem(await app.request('GET', '?cursor=nope', reader), 400);
    expectProblem(await app.request('POST', '/not-a-uuid/read', reader), 400);
    expectProblem(await app.request('POST', `/${randomUUID()}/read`, reader), 404);
    expectProblem(await app.request('POST', `/${items[0].id}/read`, reader, { body: { read: true } }), 400);
    expectProblem(await app.request('GET', '', undefined), 401);
  });

  it('serves its OpenAPI document and reports ready', async () => {
    const openapi = await app.service.request('GET', '/api/v1/notifications/openapi.json');
    expect(Object.keys(openapi.body.paths).sort()).toEqual([
      '/api/v1/notifications',
      '/api/v1/notifications/read-all',
      '/api/v1/notifications/{id}/read',
    ]);
    expect((await app.service.request('GET', '/readyz')).body).toEqual({
      status: 'ready',
      checks: { database: 'ok' },
    });
  });
});
