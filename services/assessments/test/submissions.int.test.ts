import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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

beforeAll(async () => {
  app = await AssessmentsUnderTest.start('submissions');
  [owner, otherInstructor] = await app.users('instructor', 'instructor');
});
afterAll(async () => {
  await app?.close();
});

const newStudent = () => app.user('student');
const submit = (assessmentId: string, as: User, answers: Record<string, unknown>) =>
  app.request('POST', `/${assessmentId}/submit`, as, { body: { answers } });
const grade = (assessment: Json, submissionId: string, as: User, body: Record<string, unknown>) =>
  app.request('POST', `/${assessment.id}/submissions/${submissionId}/grade`, as, { body });

/** Question ids by kind, from the owner's view of an assessment. */
const idsOf = (assessment: Json): Record<string, string> =>
  Object.fromEntries(assessment.questions.map((q: Json) => [q.kind, q.id]));

async function submissionRows(assessmentId: string): Promise<Json[]> {
  const { rows } = await app.db.query(
    'SELECT id, student_id, attempt, status, score, question_scores, graded_by FROM submissions WHERE assessment_id = $1 ORDER BY submitted_at, attempt',
    [assessmentId],
  );
  return rows;
}

async function gradeEvents(submissionId: string): Promise<Json[]> {
  const { rows } = await app.db.query(
    'SELECT graded_by, previous_score, score, question_scores, feedback FROM grade_events WHERE submission_id = $1 ORDER BY id',
    [submissionId],
  );
  return rows;
}

describe('POST /:id/submit — an all-objective quiz', () => {
  let student: User;
  let quiz: Json;
  let secrets: ReturnType<typeof secretKeys>;
  beforeAll(async () => {
    student = await newStudent();
    const courseId = await app.course(owner, [student]);
    secrets = secretKeys();
    quiz = await app.createAssessment(owner, courseId, {
      title: 'Auto quiz',
      questions: objectiveQuestions(secrets),
    });
  });

  it('grades it at once: 201 graded, partial credit, rows, Submission-Completed and Grading-Completed on Kafka', async () => {
    const q = idsOf(quiz);
    // single right (2), multiple 2 right + 1 wrong of 3 correct (1 of 3 points), boolean wrong (0),
    // numeric wrong (0), text unanswered (0).
    const response = await submit(quiz.id, student, {
      [q.single!]: 1,
      [q.multiple!]: [0, 1, 2],
      [q.boolean!]: true,
      [q.numeric!]: 3,
    });

    expect(response.status).toBe(201);
    const submission = response.body;
    expect(response.headers.get('location')).toBe(
      `/api/v1/assessments/${quiz.id}/submissions/${submission.id}`,
    );
    expect(submission).toEqual({
      id: expect.any(String),
      assessmentId: quiz.id,
      studentId: student.id,
      attempt: 1,
      status: 'graded',
      score: 3,
      maxScore: 10,
      answers: { [q.single!]: 1, [q.multiple!]: [0, 1, 2], [q.boolean!]: true, [q.numeric!]: 3 },
      questionScores: { [q.single!]: 2, [q.multiple!]: 1, [q.boolean!]: 0, [q.numeric!]: 0, [q.text!]: 0 },
      feedback: null,
      submittedAt: expect.any(String),
      gradedAt: submission.submittedAt,
      gradedBy: 'auto-grader',
    });
    expect(findAnswerKeyLeaks(submission, [secrets.word, secrets.number])).toEqual([]);

    expect(await submissionRows(quiz.id)).toEqual([
      {
        id: submission.id,
        student_id: student.id,
        attempt: 1,
        status: 'graded',
        score: 3,
        question_scores: submission.questionScores,
        graded_by: 'auto-grader',
      },
    ]);
    expect(await gradeEvents(submission.id)).toEqual([
      {
        graded_by: 'auto-grader',
        previous_score: null,
        score: 3,
        question_scores: submission.questionScores,
        feedback: null,
      },
    ]);

    const [completed] = await app.eventsFor(Topics.SubmissionCompleted, quiz.id);
    expect(completed!.key).toBe(quiz.id);
    expect(completed!.event.data).toEqual({
      submissionId: submission.id,
      assessmentId: quiz.id,
      courseId: quiz.courseId,
      studentId: student.id,
      instructorId: owner.id,
      title: 'Auto quiz',
      attempt: 1,
      status: 'graded',
      score: 3,
      maxScore: 10,
      submittedAt: submission.submittedAt,
    });
    const [graded] = await app.eventsFor(Topics.GradingCompleted, quiz.id);
    expect(graded!.event.data).toEqual({
      submissionId: submission.id,
      assessmentId: quiz.id,
      courseId: quiz.courseId,
      studentId: student.id,
      title: 'Auto quiz',
      score: 3,
      maxScore: 10,
      feedback: null,
      gradedBy: 'auto-grader',
      gradedAt: submission.gradedAt,
    });
  });

  it('gives full marks for the keys: tolerance, trimmed case-insensitive text', async () => {
    const q = idsOf(quiz);
    const response = await submit(quiz.id, student, {
      [q.single!]: 1,
      [q.multiple!]: [3, 1, 0],
      [q.boolean!]: false,
      [q.numeric!]: secrets.number + 0.4,
      [q.text!]: `  ${secrets.word.toUpperCase()} `,
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ attempt: 2, status: 'graded', score: 10 });
  });
});

describe('POST /:id/submit — refusals', () => {
  let student: User;
  let outsider: User;
  let courseId: string;
  let quiz: Json;
  beforeAll(async () => {
    [student, outsider] = await Promise.all([newStudent(), newStudent()]);
    courseId = await app.course(owner, [student]);
    quiz = await app.createAssessment(owner, courseId, { questions: objectiveQuestions(secretKeys()) });
  });

  it.each([
    ['an unknown question id', () => ({ answers: { [randomUUID()]: 1 } })],
    ['a string for a single choice', (q: Record<string, string>) => ({ answers: { [q.single!]: '1' } })],
    ['an option index out of range', (q: Record<string, string>) => ({ answers: { [q.single!]: 7 } })],
    ['a number for multiple choice', (q: Record<string, string>) => ({ answers: { [q.multiple!]: 1 } })],
    ['a string for true/false', (q: Record<string, string>) => ({ answers: { [q.boolean!]: 'false' } })],
    ['a string for a number', (q: Record<string, string>) => ({ answers: { [q.numeric!]: '3.14' } })],
    ['a number for a text', (q: Record<string, string>) => ({ answers: { [q.text!]: 42 } })],
    [
      'a NUL character in a text, which PostgreSQL cannot store',
      (q: Record<string, string>) => ({ answers: { [q.text!]: 'a\u0000b' } }),
    ],
    ['answers that are not an object', () => ({ answers: [1, 2] })],
    ['no answers field', () => ({})],
    ['an unknown body field', () => ({ answers: {}, attempt: 1 })],
  ])('answers 400 for %s, and stores nothing', async (_case, body) => {
    const response = await app.request('POST', `/${quiz.id}/submit`, student, { body: body(idsOf(quiz)) });
    expectProblem(response, 400);
    expect(response.body.errors.length).toBeGreaterThanOrEqual(1);
    expect(await submissionRows(quiz.id)).toEqual([]);
  });

  it('names the offending answer in the error path', async () => {
    const q = idsOf(quiz);
    const bogus = randomUUID();
    const response = await submit(quiz.id, student, { [q.single!]: 'one', [bogus]: 1 });
    expect(response.body.errors.map((e: Json) => e.path).sort()).toEqual(
      [`body.answers.${bogus}`, `body.answers.${q.single}`].sort(),
    );
  });

  it('refuses a student not enrolled, one no longer enrolled, and the owner (403): no row, no event', async () => {
    expectProblem(await submit(quiz.id, outsider, {}), 403);
    expectProblem(await submit(quiz.id, owner, {}), 403);
    expectProblem(await submit(quiz.id, otherInstructor, {}), 403);
    const leaver = await newStudent();
    await app.enroll(courseId, owner, leaver);
    await app.enrollmentIs(courseId, leaver, 'active');
    await app.enroll(courseId, owner, leaver, 'inactive');
    await app.enrollmentIs(courseId, leaver, 'inactive');
    expectProblem(await submit(quiz.id, leaver, {}), 403);
    expect(await submissionRows(quiz.id)).toEqual([]);
    expect(await app.outboxCount(Topics.SubmissionCompleted, quiz.id)).toBe(0);
  });

  it('enforces the attempt limit with 409 attempts-exhausted', async () => {
    const limited = await app.createAssessment(owner, courseId, {
      questions: objectiveQuestions(secretKeys()),
      maxAttempts: 2,
    });
    expect((await submit(limited.id, student, {})).status).toBe(201);
    expect((await submit(limited.id, student, {})).status).toBe(201);
    expectProblem(await submit(limited.id, student, {}), 409, 'attempts-exhausted');
    expect((await submissionRows(limited.id)).map((r) => r.attempt)).toEqual([1, 2]);
    expect(await app.outboxCount(Topics.SubmissionCompleted, limited.id)).toBe(2);
  });

  it('lets exactly one of many concurrent submits take a single allowed attempt', async () => {
    const once = await app.createAssessment(owner, courseId, {
      questions: objectiveQuestions(secretKeys()),
      maxAttempts: 1,
    });
    const responses = await Promise.all(Array.from({ length: 6 }, () => submit(once.id, student, {})));
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await submissionRows(once.id)).toHaveLength(1);
  });

  it('enforces the due date with 422 past-due', async () => {
    const dueSoon = await app.createAssessment(owner, courseId, {
      questions: objectiveQuestions(secretKeys()),
      dueAt: new Date(Date.now() + 1_500).toISOString(),
    });
    expect((await submit(dueSoon.id, student, {})).status).toBe(201);
    await sleep(1_600);
    expectProblem(await submit(dueSoon.id, student, {}), 422, 'past-due');
    const overdue = await app.createAssessment(owner, courseId, {
      questions: objectiveQuestions(secretKeys()),
      dueAt: '2020-01-01T00:00:00Z',
    });
    expectProblem(await submit(overdue.id, student, {}), 422, 'past-due');
    expect(await submissionRows(overdue.id)).toEqual([]);
  });
});

describe('essays: manual grading and regrading', () => {
  let student: User;
  let assignment: Json;
  let essayId: string;
  let submission: Json;
  beforeAll(async () => {
    student = await newStudent();
    const courseId = await app.course(owner, [student]);
    assignment = await app.createAssessment(owner, courseId, {
      title: 'Essay assignment',
      type: 'assignment',
      questions: [{ kind: 'boolean', prompt: 'Agree?', points: 2, correct: true }, essayQuestion],
    });
    essayId = idsOf(assignment).essay!;
  });

  it('leaves an answered essay for the owner: 201 submitted, no score, Submission-Completed only', async () => {
    const q = idsOf(assignment);
    const response = await submit(assignment.id, student, {
      [q.boolean!]: true,
      [essayId]: 'It cannot be decided in general.',
    });
    expect(response.status).toBe(201);
    submission = response.body;
    expect(submission).toMatchObject({
      status: 'submitted',
      score: null,
      maxScore: 12,
      gradedAt: null,
      gradedBy: null,
      questionScores: { [q.boolean!]: 2, [essayId]: null },
    });

    const [completed] = await app.eventsFor(Topics.SubmissionCompleted, assignment.id);
    expect(completed!.event.data).toMatchObject({
      submissionId: submission.id,
      status: 'submitted',
      score: null,
      instructorId: owner.id,
    });
    expect(await app.outboxCount(Topics.GradingCompleted, assignment.id)).toBe(0);
    expect(await gradeEvents(submission.id)).toEqual([]);
  });

  it('lets the owner read it; the student sees their own; other students do not (404)', async () => {
    const path = `/${assignment.id}/submissions/${submission.id}`;
    expect((await app.request('GET', path, owner)).body).toEqual(submission);
    expect((await app.request('GET', path, student)).body).toEqual(submission);
    const classmate = await newStudent();
    await app.enroll(assignment.courseId, owner, classmate);
    await app.enrollmentIs(assignment.courseId, classmate, 'active');
    expectProblem(await app.request('GET', path, classmate), 404);
    expectProblem(await app.request('GET', path, otherInstructor), 403);
  });

  it('refuses grading by anyone but the owner (403), with nothing changed', async () => {
    expectProblem(
      await grade(assignment, submission.id, otherInstructor, { questionScores: { [essayId]: 10 } }),
      403,
    );
    expectProblem(
      await grade(assignment, submission.id, student, { questionScores: { [essayId]: 10 } }),
      403,
    );
    expect((await submissionRows(assignment.id))[0]).toMatchObject({ status: 'submitted', score: null });
    expect(await gradeEvents(submission.id)).toEqual([]);
  });

  it.each([
    ['an essay score above its points', () => ({ questionScores: { [essayId]: 11 } }), 400],
    [
      'a score for an objective question',
      () => ({ questionScores: { [idsOf(assignment).boolean!]: 1 } }),
      400,
    ],
    ['an overall score above maxScore', () => ({ score: 13 }), 400],
    ['a negative score', () => ({ score: -1 }), 400],
    ['both score and questionScores', () => ({ score: 5, questionScores: { [essayId]: 5 } }), 400],
    ['an empty body', () => ({}), 400],
    ['an unknown field', () => ({ score: 5, grade: 'A' }), 400],
    ['feedback with a NUL character', () => ({ score: 5, feedback: 'ok\u0000' }), 400],
    ['feedback alone on an ungraded submission', () => ({ feedback: 'Hm' }), 422],
  ])('refuses %s', async (_case, body, status) => {
    expectProblem(await grade(assignment, submission.id, owner, body()), status);
    expect(await gradeEvents(submission.id)).toEqual([]);
  });

  it('answers 404 for a submission of another assessment', async () => {
    const other = await app.createAssessment(owner, assignment.courseId, { questions: [essayQuestion] });
    expectProblem(await grade(other, submission.id, owner, { score: 1 }), 404);
  });

  it('grades: 200 graded with the sum, audited, Grading-Completed on Kafka with the feedback', async () => {
    const response = await grade(assignment, submission.id, owner, {
      questionScores: { [essayId]: 7.5 },
      feedback: 'Good argument.',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: submission.id,
      status: 'graded',
      score: 9.5,
      feedback: 'Good argument.',
      gradedBy: owner.id,
      gradedAt: expect.any(String),
    });
    expect(await gradeEvents(submission.id)).toEqual([
      {
        graded_by: owner.id,
        previous_score: null,
        score: 9.5,
        question_scores: response.body.questionScores,
        feedback: 'Good argument.',
      },
    ]);
    const [graded] = await app.eventsFor(Topics.GradingCompleted, assignment.id);
    expect(graded!.event.data).toMatchObject({
      submissionId: submission.id,
      studentId: student.id,
      score: 9.5,
      maxScore: 12,
      feedback: 'Good argument.',
      gradedBy: owner.id,
    });
  });

  it('regrades: the new score replaces the old, the audit keeps both, a second Grading-Completed goes out', async () => {
    const response = await grade(assignment, submission.id, owner, { score: 11 });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'graded', score: 11, feedback: 'Good argument.' });
    expect((await gradeEvents(submission.id)).map((e) => [e.previous_score, e.score])).toEqual([
      [null, 9.5],
      [9.5, 11],
    ]);
    const events = await app.eventsFor(Topics.GradingCompleted, assignment.id, 2);
    expect(events.map((e) => e.event.data.score)).toEqual([9.5, 11]);
  });
});

describe('GET /:id/results', () => {
  let quiz: Json;
  let courseId: string;
  let alice: User;
  let bob: User;
  let carol: User;
  let dave: User;
  let secrets: ReturnType<typeof secretKeys>;
  beforeAll(async () => {
    [alice, bob, carol, dave] = await Promise.all([newStudent(), newStudent(), newStudent(), newStudent()]);
    courseId = await app.course(owner, [alice, bob, carol, dave]);
    secrets = secretKeys();
    quiz = await app.createAssessment(owner, courseId, {
      questions: objectiveQuestions(secrets),
      gradingMethod: 'latest',
    });
    const q = idsOf(quiz);
    // alice: 2, then 10 (latest: 10); bob: multiple and text right, 5; carol: 0; dave never submits.
    expect((await submit(quiz.id, alice, { [q.single!]: 1 })).body.score).toBe(2);
    expect(
      (
        await submit(quiz.id, alice, {
          [q.single!]: 1,
          [q.multiple!]: [0, 1, 3],
          [q.boolean!]: false,
          [q.numeric!]: secrets.number,
          [q.text!]: secrets.word,
        })
      ).body.score,
    ).toBe(10);
    expect(
      (await submit(quiz.id, bob, { [q.multiple!]: [0, 1, 3], [q.text!]: secrets.word })).body.score,
    ).toBe(5);
    expect((await submit(quiz.id, carol, { [q.single!]: 0 })).body.score).toBe(0);
  });

  it('gives a student their own attempts and final grade per the grading method, without answer keys', async () => {
    const response = await app.request('GET', `/${quiz.id}/results`, alice);
    expect(response.status).toBe(200);
    expect(response.body.items.map((s: Json) => [s.studentId, s.attempt, s.score])).toEqual([
      [alice.id, 1, 2],
      [alice.id, 2, 10],
    ]);
    expect(response.body.grade).toEqual({
      method: 'latest',
      score: 10,
      maxScore: 10,
      attemptsUsed: 2,
      attemptsRemaining: null,
      pendingGrading: false,
    });
    // alice typed the keys herself in attempt 2, so only key-named fields would be a leak in her results;
    // bob never gave the numeric key, so it must not appear anywhere in his.
    expect(findAnswerKeyLeaks(response.body, [])).toEqual([]);
    const bobs = await app.request('GET', `/${quiz.id}/results`, bob);
    expect(findAnswerKeyLeaks(bobs.body, [secrets.number])).toEqual([]);
    const daves = await app.request('GET', `/${quiz.id}/results`, dave);
    expect(daves.body).toEqual({
      items: [],
      grade: expect.objectContaining({ score: null, attemptsUsed: 0 }),
    });
    expect(findAnswerKeyLeaks(daves.body, [secrets.word, secrets.number])).toEqual([]);
  });

  it('gives the owner every student, a page at a time, and the statistics', async () => {
    const first = await app.request('GET', `/${quiz.id}/results?limit=3`, owner);
    expect(first.status).toBe(200);
    const second = await app.request(
      'GET',
      `/${quiz.id}/results?limit=3&cursor=${first.body.nextCursor}`,
      owner,
    );
    expect(second.body.nextCursor).toBeNull();
    const items = [...first.body.items, ...second.body.items];
    expect(items.map((i: Json) => i.studentId)).toEqual([alice.id, bob.id, carol.id, dave.id].sort());
    const byStudent = Object.fromEntries(items.map((i: Json) => [i.studentId, i]));
    expect(byStudent[alice.id].grade.score).toBe(10);
    expect(byStudent[alice.id].submissions).toHaveLength(2);
    expect(byStudent[bob.id].grade.score).toBe(5);
    expect(byStudent[dave.id]).toEqual({
      studentId: dave.id,
      submissions: [],
      grade: expect.objectContaining({ score: null, attemptsUsed: 0 }),
    });
    // Final grades 10, 5, 0: mean 5, median 5; 3 of 4 enrolled students submitted.
    const expectedStats = {
      enrolledStudents: 4,
      submittedStudents: 3,
      completion: 0.75,
      gradedStudents: 3,
      mean: 5,
      median: 5,
      maxScore: 10,
    };
    expect(first.body.stats).toEqual(expectedStats);
    expect(second.body.stats).toEqual(expectedStats);
  });

  it('refuses another instructor and outsiders (403)', async () => {
    expectProblem(await app.request('GET', `/${quiz.id}/results`, otherInstructor), 403);
    const outsider = await newStudent();
    expectProblem(await app.request('GET', `/${quiz.id}/results`, outsider), 403);
    expectProblem(await app.request('GET', `/${quiz.id}/results?limit=0`, owner), 400);
    const forged = Buffer.from(JSON.stringify({ s: 'a\u0000' })).toString('base64url');
    expectProblem(await app.request('GET', `/${quiz.id}/results?cursor=${forged}`, owner), 400);
  });
});
