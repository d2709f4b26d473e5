import { randomUUID } from 'node:crypto';
import { Topics } from '@moocflix/platform-bus';
import { AssessmentsUnderTest, expectProblem, type Json, type User } from './support/assessments-under-test';
import { objectiveQuestions, secretKeys } from './support/question-fixtures';

// jest ignores the integration project's testTimeout (a global option), so the file sets its own:
// starting the service joins a Kafka consumer group, and events take a relay hop to arrive.
jest.setTimeout(60_000);

let app: AssessmentsUnderTest;
let owner: User;
let courseId: string;

beforeAll(async () => {
  app = await AssessmentsUnderTest.start('attempts');
  [owner] = await app.users('instructor');
  courseId = await app.course(owner);
});
afterAll(async () => {
  await app?.close();
});

/** A student actively enrolled in the suite's course, once this service knows it. */
async function enrolledStudent(): Promise<User> {
  const student = await app.user('student');
  await app.enroll(courseId, owner, student);
  await app.enrollmentIs(courseId, student, 'active');
  return student;
}

const quiz = (fields: Record<string, unknown> = {}): Promise<Json> =>
  app.createAssessment(owner, courseId, { questions: objectiveQuestions(secretKeys()), ...fields });
const start = (assessmentId: string, as: User, options: { body?: unknown } = {}) =>
  app.request('POST', `/${assessmentId}/attempts`, as, options);
const submit = (assessmentId: string, as: User) =>
  app.request('POST', `/${assessmentId}/submit`, as, { body: { answers: {} } });

async function attemptRows(assessmentId: string, student: User): Promise<Json[]> {
  const { rows } = await app.db.query(
    `SELECT attempt, started_at, expires_at, submission_id FROM attempts
      WHERE assessment_id = $1 AND student_id = $2 ORDER BY attempt`,
    [assessmentId, student.id],
  );
  return rows;
}

async function submissionAttempts(assessmentId: string, student: User): Promise<number[]> {
  const { rows } = await app.db.query(
    'SELECT attempt FROM submissions WHERE assessment_id = $1 AND student_id = $2 ORDER BY attempt',
    [assessmentId, student.id],
  );
  return rows.map((r) => r.attempt);
}

/**
 * Stands for time passing: the attempt started `seconds` earlier than it did, and so expires that
 * much earlier too. The service reads its own clock, so moving the row is how a test waits 10 minutes.
 */
async function moveAttemptBack(assessmentId: string, student: User, attempt: number, seconds: number) {
  const { rowCount } = await app.db.query(
    `UPDATE attempts SET started_at = started_at - make_interval(secs => $4),
                         expires_at = expires_at - make_interval(secs => $4)
      WHERE assessment_id = $1 AND student_id = $2 AND attempt = $3`,
    [assessmentId, student.id, attempt, seconds],
  );
  expect(rowCount).toBe(1);
}

describe('POST /:id/attempts', () => {
  it('starts an attempt (201 + Location), and a second start returns the same one (200)', async () => {
    const student = await enrolledStudent();
    const timed = await quiz({ timeLimitSeconds: 600 });
    const before = Date.now();

    const first = await start(timed.id, student);
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/api/v1/assessments/${timed.id}/attempts/1`);
    expect(first.body).toEqual({
      assessmentId: timed.id,
      attempt: 1,
      startedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    const startedAt = Date.parse(first.body.startedAt);
    expect(startedAt).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(first.body.expiresAt) - startedAt).toBe(600_000);

    const again = await start(timed.id, student, { body: {} });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await attemptRows(timed.id, student)).toEqual([
      {
        attempt: 1,
        started_at: new Date(first.body.startedAt),
        expires_at: new Date(first.body.expiresAt),
        submission_id: null,
      },
    ]);
  });

  it('caps the attempt’s time at the due date', async () => {
    const student = await enrolledStudent();
    const dueAt = new Date(Date.now() + 120_000).toISOString();
    const timed = await quiz({ timeLimitSeconds: 3_600, dueAt });
    const response = await start(timed.id, student);
    expect(response.status).toBe(201);
    expect(response.body.expiresAt).toBe(dueAt);
  });

  it('makes one attempt of concurrent starts', async () => {
    const student = await enrolledStudent();
    const timed = await quiz({ timeLimitSeconds: 600 });
    const responses = await Promise.all(Array.from({ length: 5 }, () => start(timed.id, student)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(responses.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await attemptRows(timed.id, student)).toHaveLength(1);
  });

  it('refuses a new attempt once every attempt is used (409) and after the due date (422)', async () => {
    const student = await enrolledStudent();
    const once = await quiz({ timeLimitSeconds: 600, maxAttempts: 1 });
    expect((await start(once.id, student)).status).toBe(201);
    expect((await submit(once.id, student)).status).toBe(201);
    expectProblem(await start(once.id, student), 409, 'attempts-exhausted');

    const overdue = await quiz({ timeLimitSeconds: 600, dueAt: '2020-01-01T00:00:00Z' });
    expectProblem(await start(overdue.id, student), 422, 'past-due');
    expect(await attemptRows(overdue.id, student)).toEqual([]);
  });

  it('refuses the course owner, students not enrolled and one no longer enrolled (403)', async () => {
    const timed = await quiz({ timeLimitSeconds: 600 });
    const [outsider, otherInstructor] = await app.users('student', 'instructor');
    expectProblem(await start(timed.id, owner), 403);
    expectProblem(await start(timed.id, outsider), 403);
    expectProblem(await start(timed.id, otherInstructor), 403);
    const leaver = await enrolledStudent();
    await app.enroll(courseId, owner, leaver, 'inactive');
    await app.enrollmentIs(courseId, leaver, 'inactive');
    expectProblem(await start(timed.id, leaver), 403);
    const { rows } = await app.db.query('SELECT count(*)::int AS n FROM attempts WHERE assessment_id = $1', [
      timed.id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('answers 404 for an unknown assessment, 400 for a malformed id, a body field or a query', async () => {
    const student = await enrolledStudent();
    expectProblem(await start(randomUUID(), student), 404);
    expectProblem(await start('not-a-uuid', student), 400);
    const timed = await quiz({ timeLimitSeconds: 600 });
    const withField = await start(timed.id, student, { body: { attempt: 3 } });
    expectProblem(withField, 400);
    expect(withField.body.errors).toEqual([expect.objectContaining({ path: 'body.attempt' })]);
    expectProblem(await app.request('POST', `/${timed.id}/attempts?fast=1`, student), 400);
    expect(await attemptRows(timed.id, student)).toEqual([]);
  });

  it('needs a bearer token (401)', async () => {
    const timed = await quiz({ timeLimitSeconds: 600 });
    expectProblem(await app.request('POST', `/${timed.id}/attempts`, undefined), 401);
  });
});

describe('GET /:id/attempts/:attempt', () => {
  it('gives the student their own attempt where Location pointed, and nobody else', async () => {
    const student = await enrolledStudent();
    const timed = await quiz({ timeLimitSeconds: 600 });
    const started = await start(timed.id, student);
    const location = started.headers.get('location')!;
    const path = location.replace('/api/v1/assessments', '');

    const read = await app.request('GET', path, student);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(started.body);

    // Numbers are per student: another student's attempt 1 is their own, which they have not started.
    const other = await enrolledStudent();
    expectProblem(await app.request('GET', path, other), 404);
    expectProblem(await app.request('GET', path, owner), 403);
    expectProblem(await app.request('GET', `/${timed.id}/attempts/2`, student), 404);
    expectProblem(await app.request('GET', `/${randomUUID()}/attempts/1`, student), 404);
    expectProblem(await app.request('GET', `/${timed.id}/attempts/0`, student), 400);
    expectProblem(await app.request('GET', `/${timed.id}/attempts/first`, student), 400);
    expectProblem(await app.request('GET', `${path}?x=1`, student), 400);
    expectProblem(await app.request('GET', path, undefined), 401);
  });
});

describe('POST /:id/submit — an assessment with a time limit', () => {
  it('ends the started attempt within the limit: 201 with its number, the attempt row linked', async () => {
    const student = await enrolledStudent();
    const timed = await quiz({ timeLimitSeconds: 600, maxAttempts: 3 });
    expect((await start(timed.id, student)).body.attempt).toBe(1);

    const response = await submit(timed.id, student);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ attempt: 1, status: 'graded' });
    expect((await attemptRows(timed.id, student)).map((r) => [r.attempt, r.submission_id])).toEqual([
      [1, response.body.id],
    ]);

    // Submitted, the attempt is closed: the next start is attempt 2, the next submit needs it.
    expectProblem(await submit(timed.id, student), 409, 'attempt-not-started');
    expect((await start(timed.id, student)).status).toBe(201);
    expect((await submit(timed.id, student)).body.attempt).toBe(2);
    expect(await submissionAttempts(timed.id, student)).toEqual([1, 2]);
  });

  it('refuses a submit without a started attempt (409 attempt-not-started): no row, no event', async () => {
    const student = await enrolledStudent();
    const timed = await quiz({ timeLimitSeconds: 600 });
    const response = await submit(timed.id, student);
    expectProblem(response, 409, 'attempt-not-started');
    expect(response.body.detail).toMatch(/\/attempts/);
    expect(await submissionAttempts(timed.id, student)).toEqual([]);
    expect(await app.outboxCount(Topics.SubmissionCompleted, timed.id)).toBe(0);
  });

  it('accepts a submit arriving just after the limit, within the grace', async () => {
    const student = await enrolledStudent();
    const timed = await quiz({ timeLimitSeconds: 60 });
    expect((await start(timed.id, student)).status).toBe(201);
    await moveAttemptBack(timed.id, student, 1, 70); // 10 s past the limit: the final submit's transit
    const response = await submit(timed.id, student);
    expect(response.status).toBe(201);
    expect(response.body.attempt).toBe(1);
  });

  it('refuses an attempt past its limit (422 time-limit-exceeded); the expired attempt counts as used', async () => {
    const student = await enrolledStudent();
    const timed = await quiz({ timeLimitSeconds: 60, maxAttempts: 2 });
    expect((await start(timed.id, student)).status).toBe(201);
    await moveAttemptBack(timed.id, student, 1, 600);

    expectProblem(await submit(timed.id, student), 422, 'time-limit-exceeded');
    expect(await submissionAttempts(timed.id, student)).toEqual([]);
    expect(await app.outboxCount(Topics.SubmissionCompleted, timed.id)).toBe(0);

    // Attempt 1 is spent: the next start is attempt 2, the last one allowed.
    const second = await start(timed.id, student);
    expect(second.status).toBe(201);
    expect(second.body.attempt).toBe(2);
    await moveAttemptBack(timed.id, student, 2, 600);
    expectProblem(await submit(timed.id, student), 422, 'time-limit-exceeded');
    expectProblem(await start(timed.id, student), 409, 'attempts-exhausted');
    expect((await attemptRows(timed.id, student)).map((r) => [r.attempt, r.submission_id])).toEqual([
      [1, null],
      [2, null],
    ]);
    // The student's results say the same as the refusal: both attempts used, none left.
    const results = await app.request('GET', `/${timed.id}/results`, student);
    expect(results.status).toBe(200);
    expect(results.body.grade).toMatchObject({ attemptsUsed: 2, attemptsRemaining: 0, score: null });
    const owners = await app.request('GET', `/${timed.id}/results`, owner);
    expect(owners.body.items.find((i: Json) => i.studentId === student.id).grade).toMatchObject({
      attemptsUsed: 2,
      attemptsRemaining: 0,
    });
  });
});

describe('POST /:id/submit — an assessment without a time limit', () => {
  it('submits without a start, numbering after every attempt used', async () => {
    const student = await enrolledStudent();
    const untimed = await quiz({ maxAttempts: 2 });
    expect((await submit(untimed.id, student)).body.attempt).toBe(1);
    expect((await submit(untimed.id, student)).body.attempt).toBe(2);
    expectProblem(await submit(untimed.id, student), 409, 'attempts-exhausted');
    expect(await attemptRows(untimed.id, student)).toEqual([]);
  });

  it('lets the next submit end a started attempt and take its number', async () => {
    const student = await enrolledStudent();
    const untimed = await quiz({ maxAttempts: 3 });
    expect((await submit(untimed.id, student)).body.attempt).toBe(1);
    const started = await start(untimed.id, student);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ attempt: 2, expiresAt: null });

    const response = await submit(untimed.id, student);
    expect(response.status).toBe(201);
    expect(response.body.attempt).toBe(2);
    expect((await attemptRows(untimed.id, student)).map((r) => [r.attempt, r.submission_id])).toEqual([
      [2, response.body.id],
    ]);
    expect((await submit(untimed.id, student)).body.attempt).toBe(3);
    expectProblem(await start(untimed.id, student), 409, 'attempts-exhausted');
  });
});
