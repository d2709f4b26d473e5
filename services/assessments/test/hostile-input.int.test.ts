import { forgedCursors } from '@moocflix/platform-testing';
import { AssessmentsUnderTest, type Json, type User } from './support/assessments-under-test';
import { essayQuestion } from './support/question-fixtures';

/*
 * Input a hostile or careless client sends, on the real routes: strings PostgreSQL cannot store
 * faithfully (lone surrogates, NUL) in titles, prompts, options, answers (values and the question
 * ids that key them), feedback, queries and paths; and forged pagination cursors. Each is a 400
 * problem+json naming the field, and nothing reaches the database (answers and question scores are
 * jsonb, which refuses a lone surrogate's escape: these were 500s).
 */
jest.setTimeout(120_000);

const BAD_STRINGS: Array<[string, string]> = [
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', 'x\udfff'],
  ['a reversed pair', '\udc00\ud800'],
  ['a NUL character', 'a\u0000b'],
];

let app: AssessmentsUnderTest;
let owner: User;
let student: User;
let classmate: User;
let courseId: string;
let quiz: Json;
let questionId: string;
let submissionId: string;

beforeAll(async () => {
  app = await AssessmentsUnderTest.start('hostile');
  [owner, student, classmate] = await app.users('instructor', 'student', 'student');
  courseId = await app.course(owner, [student, classmate]);
  quiz = await app.createAssessment(owner, courseId, { title: 'Essay', questions: [essayQuestion] });
  await app.createAssessment(owner, courseId, { title: 'Second', questions: [essayQuestion] });
  questionId = quiz.questions[0].id;
  for (const who of [student, classmate]) {
    const submitted = await app.request('POST', `/${quiz.id}/submit`, who, {
      body: { answers: { [questionId]: 'An essay' } },
    });
    expect(submitted.status).toBe(201);
    submissionId = submitted.body.id;
  }
});
afterAll(async () => {
  await app?.close();
});

async function snapshot() {
  const { rows } = await app.db.query(
    `SELECT (SELECT json_agg(a ORDER BY id) FROM assessments a) AS assessments,
            (SELECT json_agg(s ORDER BY id) FROM submissions s) AS submissions,
            (SELECT count(*)::int FROM grade_events) AS grades,
            (SELECT count(*)::int FROM platform_outbox) AS outbox`,
  );
  return rows[0];
}

function expectBadRequest(response: { status: number; headers: Headers; body: Json }, path: unknown) {
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status: 400,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body).toMatchObject({ status: 400, type: expect.any(String), title: expect.any(String) });
  expect(response.body.errors).toContainEqual({ path, message: expect.any(String) });
}

describe.each(BAD_STRINGS)('%s', (_name, bad) => {
  it('in a title, a prompt, an option, an answer, a question id, feedback: 400 naming the field, nothing stored', async () => {
    const before = await snapshot();
    const create = (fields: Json) => ({
      courseId,
      title: 'Quiz',
      type: 'quiz',
      questions: [essayQuestion],
      ...fields,
    });
    const cases: Array<[string, string, User, Json, unknown]> = [
      ['POST', '', owner, create({ title: bad }), 'body.title'],
      [
        'POST',
        '',
        owner,
        create({ questions: [{ ...essayQuestion, prompt: bad }] }),
        'body.questions.0.prompt',
      ],
      [
        'POST',
        '',
        owner,
        create({ questions: [{ kind: 'single', prompt: 'p', points: 1, options: ['a', bad], correct: 0 }] }),
        'body.questions.0.options.1',
      ],
      [
        'POST',
        `/${quiz.id}/submit`,
        student,
        { answers: { [questionId]: bad } },
        `body.answers.${questionId}`,
      ],
      [
        'POST',
        `/${quiz.id}/submit`,
        student,
        { answers: { [questionId]: ['ok', { deep: bad }] } },
        `body.answers.${questionId}.1.deep`,
      ],
      [
        'POST',
        `/${quiz.id}/submit`,
        student,
        { answers: { [bad]: 'An essay' } },
        expect.stringMatching(/^body\.answers\./),
      ],
      ['POST', `/${quiz.id}/submissions/${submissionId}/grade`, owner, { feedback: bad }, 'body.feedback'],
      [
        'POST',
        `/${quiz.id}/submissions/${submissionId}/grade`,
        owner,
        { questionScores: { [bad]: 1 } },
        expect.stringMatching(/^body\.questionScores\./),
      ],
    ];
    for (const [method, path, as, body, field] of cases) {
      expectBadRequest(await app.request(method, path, as, { body }), field);
    }
    expect(await snapshot()).toEqual(before);
  });
});

it('refuses NUL in query strings and paths with a 400 naming them', async () => {
  expectBadRequest(await app.request('GET', `?courseId=${courseId}%00`, owner), 'query.courseId');
  expectBadRequest(await app.request('GET', `/${quiz.id}/results?x%00=1`, owner), 'query.x\\u0000');
  expectBadRequest(await app.request('GET', `/${quiz.id}%00`, owner), `path./${quiz.id}%00`);
  expectBadRequest(await app.request('GET', `/${quiz.id}/attempts/%ED%A0%80`, student), 'path./%ED%A0%80');
});

describe('forged cursors are a 400, never a failed query', () => {
  const id = '0b9e6a8e-9a1c-4f5e-8d5b-1f2e3d4c5b6a';
  type List = [string, () => string, Record<string, unknown>, Parameters<typeof forgedCursors>[1]];
  const lists: List[] = [
    [
      'a course’s assessments',
      () => `?courseId=${courseId}&`,
      { t: '2026-01-01T00:00:00.000Z', id },
      { t: 'timestamp', id: 'uuid' },
    ],
    ['an assessment’s results', () => `/${quiz.id}/results?`, { s: id }, { s: 'text' }],
  ];

  it.each(lists)('%s', async (_name, prefix, valid, kinds) => {
    const first = await app.request('GET', `${prefix()}limit=1`, owner);
    expect(first.status).toBe(200);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await app.request('GET', `${prefix()}limit=1&cursor=${first.body.nextCursor}`, owner);
    expect(second.status).toBe(200);
    expect(second.body.items[0]).not.toEqual(first.body.items[0]);

    const answers: Array<[string, number]> = [];
    for (const [name, cursor] of forgedCursors(valid, kinds)) {
      const response = await app.request('GET', `${prefix()}limit=1&cursor=${cursor}`, owner);
      answers.push([name, response.status]);
      if (response.status === 400) expectBadRequest(response, 'query.cursor');
    }
    expect(answers.filter(([, status]) => status !== 400)).toEqual([]);
  });
});
