import { randomUUID } from 'node:crypto';
import { ContentUnderTest, type User } from './support/content-under-test';

/*
 * Input a hostile or careless client sends, on the real routes: strings PostgreSQL cannot store
 * faithfully (lone surrogates, NUL) in upload fields, JSON bodies, queries and paths. Each is a
 * 400 problem+json naming the field, and nothing is stored: no video row, no object.
 */
jest.setTimeout(120_000);

let app: ContentUnderTest;
let owner: User;
let courseId: string;

beforeAll(async () => {
  app = await ContentUnderTest.start('hostile');
  owner = await app.user('instructor');
  courseId = await app.knownCourse(owner);
});
afterAll(async () => {
  await app?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answer's fields are read directly
function expectBadRequest(response: { status: number; headers: Headers; body: any }, path: unknown) {
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status: 400,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body).toMatchObject({ status: 400, type: expect.any(String), title: expect.any(String) });
  expect(response.body.errors).toContainEqual({ path, message: expect.any(String) });
}

it('refuses an upload whose title holds a NUL (multipart fields are checked too): 400, nothing stored', async () => {
  const response = await app.uploadParts(owner, [
    { name: 'courseId', value: courseId },
    { name: 'title', value: 'Lecture\u0000 1' },
    { name: 'file', filename: 'a.mp4', content: Buffer.alloc(1024, 1) },
  ]);
  expectBadRequest(response, 'body.title');
  expect(await app.videoCount()).toBe(0);
  expect(await app.objectKeys()).toEqual([]);
});

it.each([
  ['a lone high surrogate', '\ud800'],
  ['a reversed pair', '\udc00\ud800'],
  ['a NUL character', 'a\u0000b'],
])('refuses %s in a JSON body, as a value or a key', async (_name, bad) => {
  const videoId = randomUUID();
  expectBadRequest(
    await app.request('POST', `/${videoId}/transcode`, owner, { body: { note: bad } }),
    'body.note',
  );
  expectBadRequest(
    await app.request('POST', `/${videoId}/transcode`, owner, { body: { [bad]: 1 } }),
    expect.stringMatching(/^body\./),
  );
  expect(await app.videoCount()).toBe(0);
});

it('refuses NUL in query strings and paths with a 400 naming them', async () => {
  const videoId = randomUUID();
  expectBadRequest(await app.request('GET', `/${videoId}/poster?token=a%00`, owner), 'query.token');
  expectBadRequest(
    await app.request('GET', `/${videoId}/hls/720p/seg%00.m4s?token=x`, undefined),
    'path./seg%00.m4s',
  );
  expectBadRequest(await app.request('GET', `/${videoId}%00`, owner), `path./${videoId}%00`);
  expectBadRequest(await app.request('GET', '/%ED%A0%80/stream', owner), 'path./%ED%A0%80');
});
