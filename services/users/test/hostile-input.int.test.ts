import { BASE, logIn, signUp, uniqueEmail } from './fixtures';
import { startUsersService, type TestResponse, type UsersTestService } from './users-test-service';

/*
 * Input a hostile or careless client sends, on the real routes: strings PostgreSQL cannot store
 * faithfully (lone surrogates, NUL) in names, emails, passwords, object keys, queries and paths.
 * Each is a 400 problem+json naming the field, and no account is created or changed (a lone
 * surrogate in a name was stored as U+FFFD, or failed the insert).
 */
jest.setTimeout(120_000);

let service: UsersTestService;
let token: string;

beforeAll(async () => {
  service = await startUsersService();
  const account = await signUp(service);
  token = await logIn(service, account.email, account.password);
});
afterAll(async () => {
  await service?.close();
});

async function snapshot() {
  return (await service.pool.query('SELECT json_agg(u ORDER BY id) AS users FROM users u')).rows[0];
}

function expectBadRequest(response: TestResponse, path: unknown) {
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status: 400,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body).toMatchObject({ status: 400, type: expect.any(String), title: expect.any(String) });
  expect(response.body.errors).toContainEqual({ path, message: expect.any(String) });
}

const auth = () => ({ authorization: `Bearer ${token}` });

it.each([
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', 'x\udfff'],
  ['a reversed pair', '\udc00\ud800'],
  ['a NUL character', 'a\u0000b'],
])(
  'refuses %s in a name, an email, a password or a key: 400 naming it, no account touched',
  async (_name, bad) => {
    const before = await snapshot();
    const signup = { email: uniqueEmail(), password: 'violet kettle on the moon', name: 'Ada' };
    const cases: Array<[string, string, object, Record<string, string>, unknown]> = [
      ['POST', '/signup', { ...signup, name: bad }, {}, 'body.name'],
      ['POST', '/signup', { ...signup, email: `a${bad}@example.org` }, {}, 'body.email'],
      ['POST', '/signup', { ...signup, password: `violet kettle ${bad} moon` }, {}, 'body.password'],
      ['POST', '/signup', { ...signup, [bad]: 'x' }, {}, expect.stringMatching(/^body\./)],
      ['POST', '/login', { email: `a${bad}@example.org`, password: 'x' }, {}, 'body.email'],
      ['PUT', '/profile/update', { name: bad }, auth(), 'body.name'],
    ];
    for (const [method, path, body, headers, field] of cases) {
      expectBadRequest(await service.request(method, `${BASE}${path}`, { body, headers }), field);
    }
    expect(await snapshot()).toEqual(before);
  },
);

it('refuses NUL in query strings and paths with a 400 naming them', async () => {
  expectBadRequest(await service.request('GET', `${BASE}/profile?x=%00`, { headers: auth() }), 'query.x');
  expectBadRequest(
    await service.request('GET', `${BASE}/profile%00`, { headers: auth() }),
    'path./profile%00',
  );
});
