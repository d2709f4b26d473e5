import { createTestDatabase, waitFor } from '../../../e2e/stack/control';
import { startTestService, TestTokenIssuer, type TestService } from '@moocflix/platform-testing';
import { createNotificationsService } from '@moocflix/notifications/service';
import { findAnswerKeyLeaks } from './support/answer-key-leaks';
import { AssessmentsUnderTest, type Json, type User } from './support/assessments-under-test';
import { essayQuestion, objectiveQuestions, secretKeys } from './support/question-fixtures';

// jest ignores the integration project's testTimeout (a global option), so the file sets its own:
// two services join Kafka consumer groups, and every step crosses Kafka between them.
jest.setTimeout(90_000);

/**
 * The seed's story across two real services talking only through Kafka: the instructor creates a
 * quiz, enrolled students are notified, a student submits and is auto-graded, results; an essay is
 * graded by hand and the student hears of it in their inbox.
 */
let assessments: AssessmentsUnderTest;
let notifications: TestService;
let owner: User;
let ann: User;
let ben: User;
let courseId: string;

beforeAll(async () => {
  const issuer = await TestTokenIssuer.create();
  assessments = await AssessmentsUnderTest.start('flow', { issuer });
  notifications = await startTestService({
    name: 'notifications',
    create: createNotificationsService,
    databaseUrl: await createTestDatabase('notifications_flow'),
    bus: assessments.bus,
    issuer,
  });
  [owner, ann, ben] = await assessments.users('instructor', 'student', 'student');
  courseId = await assessments.course(owner, [ann!, ben!]);
  // The notifications service keeps its own enrollment projection: wait until it has both students too.
  for (const student of [ann!, ben!]) await notificationOf(student, 'enrollment.confirmed', { courseId });
});
afterAll(async () => {
  await notifications?.close();
  await assessments?.close();
});

/** The user's inbox once a notification of `type` (about `id` in its data, if given) is in it. */
async function notificationOf(user: User, type: string, about?: Record<string, string>): Promise<Json> {
  return waitFor(
    async () => {
      const response = await notifications.request('GET', '/api/v1/notifications?limit=100', {
        token: user.token,
      });
      expect(response.status).toBe(200);
      const found = response.body.items.filter(
        (n: Json) => n.type === type && Object.entries(about ?? {}).every(([k, v]) => n.data[k] === v),
      );
      expect(found).toHaveLength(1);
      return found[0];
    },
    { timeoutMs: 30_000 },
  );
}

it('quiz: created → students notified → a student submits → auto-graded → instructor and student notified → results', async () => {
  const secrets = secretKeys();
  const quiz = await assessments.createAssessment(owner, courseId, {
    title: 'Flow quiz',
    questions: objectiveQuestions(secrets),
  });

  for (const student of [ann, ben]) {
    expect(await notificationOf(student, 'assessment.created', { assessmentId: quiz.id })).toMatchObject({
      title: 'New quiz: Flow quiz',
      read: false,
      data: { courseId, assessmentId: quiz.id },
    });
  }

  const view = await assessments.request('GET', `/${quiz.id}`, ann);
  expect(findAnswerKeyLeaks(view.body, [secrets.word, secrets.number])).toEqual([]);
  const q = Object.fromEntries(view.body.questions.map((question: Json) => [question.kind, question.id]));
  const submitted = await assessments.request('POST', `/${quiz.id}/submit`, ann, {
    body: { answers: { [q.single]: 1, [q.boolean]: false } },
  });
  expect(submitted.status).toBe(201);
  expect(submitted.body).toMatchObject({ status: 'graded', score: 3, maxScore: 10 });
  expect(findAnswerKeyLeaks(submitted.body, [secrets.word, secrets.number])).toEqual([]);

  expect(
    await notificationOf(owner, 'submission.received', { submissionId: submitted.body.id }),
  ).toMatchObject({
    title: 'New submission: Flow quiz',
    body: 'A student submitted attempt 1 of “Flow quiz”. It was graded automatically: 3 of 10 points.',
  });
  expect(await notificationOf(ann, 'grading.completed', { submissionId: submitted.body.id })).toMatchObject({
    title: 'Graded: Flow quiz',
    data: { score: 3, maxScore: 10 },
  });

  const own = await assessments.request('GET', `/${quiz.id}/results`, ann);
  expect(own.body.grade).toMatchObject({ score: 3, attemptsUsed: 1 });
  expect(findAnswerKeyLeaks(own.body, [secrets.word, secrets.number])).toEqual([]);
  const all = await assessments.request('GET', `/${quiz.id}/results`, owner);
  expect(all.body.stats).toMatchObject({
    enrolledStudents: 2,
    submittedStudents: 1,
    completion: 0.5,
    mean: 3,
    median: 3,
  });
});

it('essay: submitted → instructor notified → graded by hand → Grading-Completed → the student’s inbox', async () => {
  const essay = await assessments.createAssessment(owner, courseId, {
    title: 'Flow essay',
    type: 'assignment',
    questions: [essayQuestion],
  });
  const essayId = essay.questions[0].id;
  const submitted = await assessments.request('POST', `/${essay.id}/submit`, ben, {
    body: { answers: { [essayId]: 'Turing, 1936.' } },
  });
  expect(submitted.body).toMatchObject({ status: 'submitted', score: null });

  expect(
    await notificationOf(owner, 'submission.received', { submissionId: submitted.body.id }),
  ).toMatchObject({
    body: 'A student submitted attempt 1 of “Flow essay”. It waits for your grading.',
  });

  const graded = await assessments.request(
    'POST',
    `/${essay.id}/submissions/${submitted.body.id}/grade`,
    owner,
    {
      body: { questionScores: { [essayId]: 8 }, feedback: 'Cite the paper.' },
    },
  );
  expect(graded.status).toBe(200);

  const inbox = await notificationOf(ben, 'grading.completed', { submissionId: submitted.body.id });
  expect(inbox).toMatchObject({
    title: 'Graded: Flow essay',
    body: 'You scored 8 of 10 points on “Flow essay”. Feedback: Cite the paper.',
  });
  const read = await notifications.request('POST', `/api/v1/notifications/${inbox.id}/read`, {
    token: ben.token,
  });
  expect(read.body).toMatchObject({ id: inbox.id, read: true });
});
