import { randomUUID } from 'node:crypto';
import { Topics } from '@moocflix/platform-bus';
import { forgedCursors } from '@moocflix/platform-testing';
import { NotificationsUnderTest, type Json, type User } from './support/notifications-under-test';

/*
 * Input a hostile or careless client sends, on the real routes: strings PostgreSQL cannot store
 * faithfully (lone surrogates, NUL) in queries, paths and bodies, and forged inbox cursors. Each is
 * a 400 problem+json naming what is wrong, and nothing changes in the database (a forged cursor
 * with the year 0000 failed the keyset query: a 500).
 */
jest.setTimeout(120_000);

let app: NotificationsUnderTest;
let reader: User;

beforeAll(async () => {
  app = await NotificationsUnderTest.start('hostile');
  reader = await app.user('student');
  for (let i = 1; i <= 2; i++) {
    await app.processed(
      await app.publish(Topics.GradingCompleted, randomUUID(), {
        submissionId: randomUUID(),
        assessmentId: randomUUID(),
        courseId: randomUUID(),
        studentId: reader.id,
        title: `Essay ${i}`,
        score: 8,
        maxScore: 10,
        feedback: null,
        gradedBy: randomUUID(),
        gradedAt: new Date().toISOString(),
      }),
    );
  }
});
afterAll(async () => {
  await app?.close();
});

async function snapshot() {
  return (await app.db.query('SELECT json_agg(n ORDER BY id) AS rows FROM notifications n')).rows[0];
}

function expectBadRequest(response: { status: number; headers: Headers; body: Json }, path: unknown) {
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status: 400,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body).toMatchObject({ status: 400, type: expect.any(String), title: expect.any(String) });
  expect(response.body.errors).toContainEqual({ path, message: expect.any(String) });
}

it.each([
  ['a lone high surrogate', '\ud800'],
  ['a reversed pair', '\udc00\ud800'],
  ['a NUL character', 'a\u0000b'],
])('refuses %s in a body, as a value or a key: 400 naming it, nothing marked read', async (_name, bad) => {
  const before = await snapshot();
  const [first] = await app.inbox(reader, 2);
  expectBadRequest(await app.request('POST', '/read-all', reader, { body: { note: bad } }), 'body.note');
  expectBadRequest(
    await app.request('POST', `/${first.id}/read`, reader, { body: { [bad]: true } }),
    expect.stringMatching(/^body\./),
  );
  expect(await snapshot()).toEqual(before);
});

it('refuses NUL in query strings and paths with a 400 naming them', async () => {
  expectBadRequest(await app.request('GET', '?unread=true%00', reader), 'query.unread');
  expectBadRequest(await app.request('GET', '?%00=1', reader), 'query.\\u0000');
  const id = randomUUID();
  expectBadRequest(await app.request('POST', `/${id}%00/read`, reader), `path./${id}%00`);
  expectBadRequest(await app.request('POST', '/%ED%A0%80/read', reader), 'path./%ED%A0%80');
});

it('answers every forged inbox cursor with 400, and pages with the cursors it issues', async () => {
  const first = await app.request('GET', '?limit=1', reader);
  expect(first.status).toBe(200);
  const second = await app.request('GET', `?limit=1&cursor=${first.body.nextCursor}`, reader);
  expect(second.status).toBe(200);
  expect(second.body.items[0].id).not.toBe(first.body.items[0].id);

  const answers: Array<[string, number]> = [];
  const valid = { t: '2026-01-01T00:00:00.000Z', id: randomUUID() };
  for (const [name, cursor] of forgedCursors(valid, { t: 'timestamp', id: 'uuid' })) {
    for (const unread of ['false', 'true']) {
      const response = await app.request('GET', `?limit=1&unread=${unread}&cursor=${cursor}`, reader);
      answers.push([name, response.status]);
      if (response.status === 400) expectBadRequest(response, 'query.cursor');
    }
  }
  expect(answers.filter(([, status]) => status !== 400)).toEqual([]);
});
