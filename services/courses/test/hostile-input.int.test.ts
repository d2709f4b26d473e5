import { forgedCursors } from '@moocflix/platform-testing';
import { CoursesUnderTest, type Json, type User } from './support/courses-under-test';

/*
 * Input a hostile or careless client sends, on the real routes: strings PostgreSQL cannot store
 * faithfully (lone surrogates, NUL) anywhere in a body, a query or a path, and forged pagination
 * cursors. Each is a 400 problem+json naming what is wrong, and nothing reaches the database
 * (these were 500s: jsonb/text refused the value, or a forged cursor failed the keyset query).
 */
jest.setTimeout(120_000);

const BAD_STRINGS: Array<[string, string]> = [
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', 'x\udfff'],
  ['a reversed pair', '\udc00\ud800'],
  ['a NUL character', 'a\u0000b'],
];

let app: CoursesUnderTest;
let owner: User;
let student: User;
let classmate: User;
let course: Json;
let moduleId: string;

beforeAll(async () => {
  app = await CoursesUnderTest.start('hostile');
  [owner, student, classmate] = await app.users('instructor', 'student', 'student');
  course = await app.createCourse(owner, { title: 'Safe title', published: true });
  const another = await app.createCourse(owner, { title: 'Another course', published: true });
  const module = await app.request('POST', `/${course.id}/modules`, owner, { body: { title: 'M1' } });
  expect(module.status).toBe(201);
  moduleId = module.body.id;
  await app.request('POST', `/${course.id}/modules`, owner, { body: { title: 'M2' } });
  for (const [who, id] of [
    [student, course.id],
    [student, another.id],
    [classmate, course.id],
  ] as const) {
    expect((await app.request('POST', `/${id}/enroll`, who)).status).toBe(201);
  }
});
afterAll(async () => {
  await app?.close();
});

/** Everything a refused request could have changed. */
async function snapshot() {
  const { rows } = await app.db.query(
    `SELECT (SELECT json_agg(c ORDER BY id) FROM courses c) AS courses,
            (SELECT json_agg(m ORDER BY id) FROM course_modules m) AS modules,
            (SELECT count(*)::int FROM platform_outbox) AS outbox`,
  );
  return rows[0];
}

function expectBadRequest(response: { status: number; headers: Headers; body: Json }, path: string) {
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status: 400,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body).toMatchObject({ status: 400, type: expect.any(String), title: expect.any(String) });
  expect(response.body.errors).toContainEqual({ path, message: expect.any(String) });
}

describe.each(BAD_STRINGS)('%s', (_name, bad) => {
  it('in a course title, description or category, an object key, a module title: 400 naming the field, nothing stored', async () => {
    const before = await snapshot();
    const cases: Array<[string, string, Json, string]> = [
      ['POST', '', { title: bad, description: 'd' }, 'body.title'],
      ['POST', '', { title: 'ok', description: `long text ${bad}` }, 'body.description'],
      ['POST', '', { title: 'ok', description: 'd', category: bad }, 'body.category'],
      ['POST', '', { title: 'ok', description: 'd', [bad]: 1 }, expect.stringMatching(/^body\./)],
      ['PUT', `/${course.id}`, { title: bad }, 'body.title'],
      ['PUT', `/${course.id}`, { description: bad }, 'body.description'],
      ['POST', `/${course.id}/modules`, { title: bad }, 'body.title'],
      ['PUT', `/${course.id}/modules/${moduleId}`, { description: bad }, 'body.description'],
    ];
    for (const [method, path, body, field] of cases) {
      expectBadRequest(await app.request(method, path, owner, { body }), field);
    }
    expect(await snapshot()).toEqual(before);
  });
});

it('refuses NUL in query strings and paths with a 400 naming them', async () => {
  expectBadRequest(await app.request('GET', '?q=a%00b', student), 'query.q');
  expectBadRequest(await app.request('GET', '?category=%00', student), 'query.category');
  expectBadRequest(await app.request('GET', '?instructorId=x%00', student), 'query.instructorId');
  expectBadRequest(await app.request('GET', '?a%00=1', student), 'query.a\\u0000');
  expectBadRequest(await app.request('GET', `/${course.id}%00`, student), `path./${course.id}%00`);
  expectBadRequest(await app.request('GET', '/%ED%A0%80/modules', student), 'path./%ED%A0%80');
});

describe('forged cursors are a 400, never a failed query', () => {
  const id = '0b9e6a8e-9a1c-4f5e-8d5b-1f2e3d4c5b6a';
  const time = '2026-01-01T00:00:00.000Z';
  type List = [
    string,
    () => string,
    () => User,
    Record<string, unknown>,
    Parameters<typeof forgedCursors>[1],
  ];
  const lists: List[] = [
    [
      'the catalogue by date',
      () => '?sort=-createdAt&',
      () => owner,
      { s: '-createdAt', v: time, id },
      { v: 'timestamp', id: 'uuid', s: 'enum' },
    ],
    [
      'the catalogue by title',
      () => '?sort=title&',
      () => owner,
      { s: 'title', v: 'A title', id },
      { v: 'text', id: 'uuid', s: 'enum' },
    ],
    [
      'the own enrollments',
      () => '/enrolled?',
      () => student,
      { t: time, id },
      { t: 'timestamp', id: 'uuid' },
    ],
    ['a syllabus', () => `/${course.id}/modules?`, () => owner, { p: 1 }, { p: 'integer' }],
    [
      'a course’s enrollments',
      () => `/${course.id}/enrollments?`,
      () => owner,
      { t: time, id },
      { t: 'timestamp', id: 'text' },
    ],
  ];

  it.each(lists)('%s', async (_name, prefix, as, valid, kinds) => {
    const caller = as();
    // The lists page for real first: what they issue is accepted.
    const first = await app.request('GET', `${prefix()}limit=1`, caller);
    expect(first.status).toBe(200);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await app.request('GET', `${prefix()}limit=1&cursor=${first.body.nextCursor}`, caller);
    expect(second.status).toBe(200);
    expect(second.body.items[0]).not.toEqual(first.body.items[0]);

    const answers: Array<[string, number]> = [];
    for (const [name, cursor] of forgedCursors(valid, kinds)) {
      const response = await app.request('GET', `${prefix()}limit=1&cursor=${cursor}`, caller);
      answers.push([name, response.status]);
      if (response.status === 400) expectBadRequest(response, 'query.cursor');
    }
    expect(answers.filter(([, status]) => status !== 400)).toEqual([]);
  });
});
