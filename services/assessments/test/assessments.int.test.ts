import { randomUUID } from 'node:crypto';
import { waitFor } from '../../../e2e/stack/control';
import { Topics } from '@moocflix/platform-bus';
import { findAnswerKeyLeaks } from './support/answer-key-leaks';
import { AssessmentsUnderTest, expectProblem, type Json, type User } from './support/assessments-under-test';
import { essayQuestion, objectiveQuestions, secretKeys } from './support/question-fixtures';

// jest ignores the integration project's testTimeout (a global option), so the file sets its own:
// starting the service joins a Kafka consumer group, and events take a relay hop to arrive.
jest.setTimeout(60_000);

let app: AssessmentsUnderTest;
let owner: User;
let otherInstructor: User;
let student: User;
let outsider: User;
let courseId: string;

beforeAll(async () => {
  app = await AssessmentsUnderTest.start('assessments');
  [owner, otherInstructor, student, outsider] = await app.users(
    'instructor',
    'instructor',
    'student',
    'student',
  );
  courseId = await app.course(owner, [student]);
});
afterAll(async () => {
  await app?.close();
});

async function assessmentRows(id: string): Promise<Json[]> {
  return (
    await app.db.query(
      'SELECT course_id, created_by, title, type, grading_method, max_score, questions FROM assessments WHERE id = $1',
      [id],
    )
  ).rows;
}

describe('POST /api/v1/assessments', () => {
  it('creates a quiz for the course owner: 201, question ids, one row, one Assessment-Creation on Kafka keyed by its id', async () => {
    const secrets = secretKeys();
    const dueAt = new Date(Date.now() + 86_400_000).toISOString();
    const response = await app.request('POST', '', owner, {
      body: {
        courseId,
        title: 'Week 1 quiz',
        type: 'quiz',
        questions: objectiveQuestions(secrets),
        dueAt,
        maxAttempts: 3,
        gradingMethod: 'latest',
        timeLimitSeconds: 600,
      },
    });

    expect(response.status).toBe(201);
    const created = response.body;
    expect(response.headers.get('location')).toBe(`/api/v1/assessments/${created.id}`);
    expect(created).toEqual({
      id: expect.any(String),
      courseId,
      createdBy: owner.id,
      title: 'Week 1 quiz',
      type: 'quiz',
      dueAt,
      maxAttempts: 3,
      gradingMethod: 'latest',
      timeLimitSeconds: 600,
      maxScore: 10,
      createdAt: expect.any(String),
      questions: objectiveQuestions(secrets).map((q) => ({
        ...q,
        id: expect.any(String),
        ...(q.kind === 'numeric' ? { tolerance: 0.5 } : {}),
        ...(q.kind === 'text' ? { caseSensitive: false } : {}),
      })),
    });
    expect(new Set(created.questions.map((q: Json) => q.id)).size).toBe(5);

    const [row] = await assessmentRows(created.id);
    expect(row).toMatchObject({
      course_id: courseId,
      created_by: owner.id,
      title: 'Week 1 quiz',
      type: 'quiz',
      grading_method: 'latest',
      max_score: 10,
    });
    expect(row.questions).toEqual(created.questions);

    const [published] = await app.eventsFor(Topics.AssessmentCreation, created.id);
    expect(published!.key).toBe(created.id);
    expect(published!.event.data).toEqual({
      assessmentId: created.id,
      courseId,
      instructorId: owner.id,
      title: 'Week 1 quiz',
      type: 'quiz',
      dueAt,
      createdAt: created.createdAt,
    });
    expect(await app.outboxCount(Topics.AssessmentCreation, created.id)).toBe(1);
  });

  it('applies the defaults: highest grading, unlimited attempts, no due date or time limit', async () => {
    const created = await app.createAssessment(owner, courseId, {
      type: 'assignment',
      questions: [essayQuestion],
    });
    expect(created).toMatchObject({
      type: 'assignment',
      gradingMethod: 'highest',
      maxAttempts: null,
      dueAt: null,
      timeLimitSeconds: null,
      maxScore: 10,
    });
  });

  it('refuses everyone but the course owner (403) and unknown courses (404): no row, no event', async () => {
    const body = { courseId, title: 'Not yours', type: 'quiz', questions: [essayQuestion] };
    expectProblem(await app.request('POST', '', otherInstructor, { body }), 403);
    expectProblem(await app.request('POST', '', student, { body }), 403);
    expectProblem(await app.request('POST', '', owner, { body: { ...body, courseId: randomUUID() } }), 404);
    expectProblem(await app.request('POST', '', undefined, { body }), 401);
    const { rows } = await app.db.query(
      "SELECT count(*)::int AS n FROM assessments WHERE title = 'Not yours'",
    );
    expect(rows[0].n).toBe(0);
  });

  it.each([
    [
      'an unknown question field',
      { questions: [{ ...essayQuestion, correct: 'x' }] },
      'body.questions.0.correct',
    ],
    ['no questions', { questions: [] }, 'body.questions'],
    [
      'an unknown kind',
      { questions: [{ kind: 'matching', prompt: 'p', points: 1 }] },
      'body.questions.0.kind',
    ],
    [
      'a single-choice key beyond the options',
      { questions: [{ kind: 'single', prompt: 'p', points: 1, options: ['a', 'b'], correct: 2 }] },
      'body.questions.0.correct',
    ],
    [
      'a multiple-choice key naming an option twice',
      { questions: [{ kind: 'multiple', prompt: 'p', points: 1, options: ['a', 'b'], correct: [1, 1] }] },
      'body.questions.0.correct',
    ],
    [
      'a boolean key that is a string',
      { questions: [{ kind: 'boolean', prompt: 'p', points: 1, correct: 'true' }] },
      'body.questions.0.correct',
    ],
    [
      'a negative tolerance',
      { questions: [{ kind: 'numeric', prompt: 'p', points: 1, correct: 1, tolerance: -1 }] },
      'body.questions.0.tolerance',
    ],
    ['zero points', { questions: [{ ...essayQuestion, points: 0 }] }, 'body.questions.0.points'],
    ['an unknown grading method', { gradingMethod: 'best' }, 'body.gradingMethod'],
    ['zero attempts', { maxAttempts: 0 }, 'body.maxAttempts'],
    ['a due date without a time zone', { dueAt: '2030-01-01T00:00:00' }, 'body.dueAt'],
    ['a course id that is not a uuid', { courseId: 'course-1' }, 'body.courseId'],
    ['a NUL character, which PostgreSQL cannot store', { title: 'Quiz\u0000 1' }, 'body.title'],
  ])('answers 400 problem+json for %s', async (_case, fields, path) => {
    const response = await app.request('POST', '', owner, {
      body: { courseId, title: 'Bad', type: 'quiz', questions: [essayQuestion], ...fields },
    });
    expectProblem(response, 400);
    expect(response.body.errors.map((e: Json) => e.path)).toContain(path);
    const { rows } = await app.db.query("SELECT count(*)::int AS n FROM assessments WHERE title = 'Bad'");
    expect(rows[0].n).toBe(0);
  });

  it('answers 400 for an unknown field, naming it', async () => {
    const response = await app.request('POST', '', owner, {
      body: { courseId, title: 'Bad', type: 'quiz', questions: [essayQuestion], instructorId: owner.id },
    });
    expectProblem(response, 400);
    expect(response.body.errors).toEqual([{ path: 'body.instructorId', message: 'unknown field' }]);
  });

  it('answers 400, not 500, for a body that is not JSON, and 415 for one that is not declared JSON', async () => {
    expectProblem(
      await app.request('POST', '', owner, {
        body: '{"courseId":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    expectProblem(
      await app.request('POST', '', owner, { body: 'courseId=1', headers: { 'content-type': 'text/plain' } }),
      415,
    );
  });
});

describe('GET /api/v1/assessments/:id', () => {
  let secrets: ReturnType<typeof secretKeys>;
  let assessment: Json;
  beforeAll(async () => {
    secrets = secretKeys();
    assessment = await app.createAssessment(owner, courseId, {
      questions: [...objectiveQuestions(secrets), essayQuestion],
    });
  });

  it('shows the owner everything, answer keys included', async () => {
    const response = await app.request('GET', `/${assessment.id}`, owner);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(assessment);
    // The leak detector finds keys where they are: it would catch them in a student's response.
    expect(findAnswerKeyLeaks(response.body, [secrets.word, secrets.number]).length).toBeGreaterThanOrEqual(
      5,
    );
  });

  it('shows an enrolled student the questions without a single answer key anywhere', async () => {
    const response = await app.request('GET', `/${assessment.id}`, student);
    expect(response.status).toBe(200);
    expect(findAnswerKeyLeaks(response.body, [secrets.word, secrets.number])).toEqual([]);
    expect(response.body.questions).toEqual(
      assessment.questions.map((q: Json) => ({
        id: q.id,
        kind: q.kind,
        prompt: q.prompt,
        points: q.points,
        ...(q.options ? { options: q.options } : {}),
      })),
    );
    expect(response.body).toMatchObject({ id: assessment.id, title: assessment.title, maxScore: 20 });
  });

  it('refuses students not (or no longer) enrolled and other instructors with 403', async () => {
    expectProblem(await app.request('GET', `/${assessment.id}`, outsider), 403);
    expectProblem(await app.request('GET', `/${assessment.id}`, otherInstructor), 403);

    const leaving = await app.user('student');
    await app.enroll(courseId, owner, leaving);
    await app.enrollmentIs(courseId, leaving, 'active');
    expect((await app.request('GET', `/${assessment.id}`, leaving)).status).toBe(200);
    await app.enroll(courseId, owner, leaving, 'inactive');
    await app.enrollmentIs(courseId, leaving, 'inactive');
    expectProblem(await app.request('GET', `/${assessment.id}`, leaving), 403);
  });

  it('answers 404 for an unknown id and 400 for one that is not a uuid', async () => {
    expectProblem(await app.request('GET', `/${randomUUID()}`, owner), 404);
    expectProblem(await app.request('GET', '/not-a-uuid', owner), 400);
    expectProblem(await app.request('GET', `/${assessment.id}?verbose=1`, owner), 400);
  });
});

describe('GET /api/v1/assessments?courseId=', () => {
  it('lists a course’s assessments newest first, a page at a time, as summaries without questions', async () => {
    const classmate = await app.user('student');
    const listed = await app.course(owner, [classmate]);
    const secrets = secretKeys();
    const created: Json[] = [];
    for (let i = 0; i < 3; i++)
      created.push(await app.createAssessment(owner, listed, { questions: objectiveQuestions(secrets) }));

    const first = await app.request('GET', `?courseId=${listed}&limit=2`, classmate);
    expect(first.status).toBe(200);
    expect(first.body.items.map((a: Json) => a.id)).toEqual([created[2].id, created[1].id]);
    expect(first.body.items[0]).toMatchObject({ questionCount: 5, maxScore: 10, courseId: listed });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await app.request(
      'GET',
      `?courseId=${listed}&limit=2&cursor=${first.body.nextCursor}`,
      classmate,
    );
    expect(second.body).toEqual({
      items: [expect.objectContaining({ id: created[0].id })],
      nextCursor: null,
    });
    for (const page of [first.body, second.body])
      expect(findAnswerKeyLeaks(page, [secrets.word, secrets.number])).toEqual([]);

    const asOwner = await app.request('GET', `?courseId=${listed}`, owner);
    expect(asOwner.body.items).toHaveLength(3);
  });

  it('refuses outsiders (403), unknown courses (404), a missing courseId or a foreign cursor (400)', async () => {
    expectProblem(await app.request('GET', `?courseId=${courseId}`, outsider), 403);
    expectProblem(await app.request('GET', `?courseId=${courseId}`, otherInstructor), 403);
    expectProblem(await app.request('GET', `?courseId=${randomUUID()}`, owner), 404);
    expectProblem(await app.request('GET', '', owner), 400);
    expectProblem(await app.request('GET', `?courseId=${courseId}&cursor=bogus`, owner), 400);
  });
});

describe('course deletion', () => {
  it('takes the course’s assessments away (404) once Course-Deletion arrives', async () => {
    const doomed = await app.course(owner, [student]);
    const assessment = await app.createAssessment(owner, doomed, { questions: [essayQuestion] });
    await app.publish(Topics.CourseDeletion, doomed, {
      courseId: doomed,
      instructorId: owner.id,
      deletedAt: new Date().toISOString(),
    });
    await waitForStatus(`/${assessment.id}`, owner, 404);
    expectProblem(await app.request('GET', `/${assessment.id}`, student), 404);
    expectProblem(
      await app.request('POST', `/${assessment.id}/submit`, student, { body: { answers: {} } }),
      404,
    );
  });
});

describe('service endpoints', () => {
  it('serves its OpenAPI document listing every route', async () => {
    const response = await app.service.request('GET', '/api/v1/assessments/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths).sort()).toEqual([
      '/api/v1/assessments',
      '/api/v1/assessments/{id}',
      '/api/v1/assessments/{id}/attempts',
      '/api/v1/assessments/{id}/attempts/{attempt}',
      '/api/v1/assessments/{id}/results',
      '/api/v1/assessments/{id}/submissions/{submissionId}',
      '/api/v1/assessments/{id}/submissions/{submissionId}/grade',
      '/api/v1/assessments/{id}/submit',
    ]);
  });

  it('is ready when its database is', async () => {
    const response = await app.service.request('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.body.checks).toEqual({ database: 'ok' });
  });
});

async function waitForStatus(path: string, as: User, status: number): Promise<void> {
  await waitFor(async () => expect((await app.request('GET', path, as)).status).toBe(status), {
    timeoutMs: 20_000,
  });
}
