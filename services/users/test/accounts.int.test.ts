/**
 * Accounts: signup, profile, profile update, deactivation, admin bootstrap, OpenAPI — each checked in
 * the response, the database rows and the events that reached Kafka.
 */
import { Topics } from '@moocflix/platform-bus';
import { createUsersService } from '../src/service';
import {
  BASE,
  clientIp,
  expectProblem,
  logIn,
  outboxRows,
  PASSWORD,
  signUp,
  uniqueEmail,
  userRow,
} from './fixtures';
import { KafkaEventRecorder } from './kafka-event-recorder';
import { startUsersService, type UsersTestService } from './users-test-service';

const ADMIN_EMAIL = uniqueEmail('admin');
const ADMIN_PASSWORD = 'bootstrap admin passphrase';

// jest.config.js sets testTimeout per project, which jest ignores (it is a global option): the
// 5 s default is too short for joining Kafka groups on a loaded machine.
jest.setTimeout(60_000);

let service: UsersTestService;
const events = new KafkaEventRecorder();

beforeAll(async () => {
  await events.start();
  service = await startUsersService({
    LOGIN_FREE_FAILURES_PER_ADDRESS: '10000',
    USERS_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL.toUpperCase(),
    USERS_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
});

afterAll(async () => {
  await service?.close();
  await events.stop();
});

const countUsersWithEmail = async (email: string) =>
  Number((await service.pool.query('SELECT count(*) FROM users WHERE email = $1', [email])).rows[0].count);

describe('POST /signup', () => {
  test('201 with the user and no secret; the row is stored normalised with an argon2id hash; User-Creation reaches Kafka', async () => {
    const email = uniqueEmail('Signup');
    const res = await service.request('POST', `${BASE}/signup`, {
      body: {
        email: `  ${email.toUpperCase()} `,
        password: PASSWORD,
        name: 'Ada Lovelace',
        role: 'instructor',
      },
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: email.toLowerCase(),
      name: 'Ada Lovelace',
      role: 'instructor',
      status: 'active',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(res.text).not.toMatch(/argon2|password/i);

    const row = await userRow(service, res.body.id);
    expect(row).toMatchObject({
      email: email.toLowerCase(),
      name: 'Ada Lovelace',
      role: 'instructor',
      status: 'active',
    });
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const [received] = await events.waitFor(Topics.UserCreation, res.body.id);
    expect(received!.key).toBe(res.body.id);
    expect(received!.event).toMatchObject({
      type: 'io.moocflix.user.created',
      source: 'users',
      subject: res.body.id,
    });
    expect(received!.event.data).toEqual({
      userId: res.body.id,
      email: email.toLowerCase(),
      name: 'Ada Lovelace',
      role: 'instructor',
      status: 'active',
      createdAt: res.body.createdAt,
    });
    expect(JSON.stringify(received!.event)).not.toContain('argon2');
  });

  test('the role defaults to student', async () => {
    const res = await service.request('POST', `${BASE}/signup`, {
      body: { email: uniqueEmail(), password: PASSWORD, name: 'Bo' },
    });
    expect(res.status).toBe(201);
    expect(res.body.role).toBe('student');
    expect((await userRow(service, res.body.id)).role).toBe('student');
  });

  test('admin cannot be self-assigned: 400 and no account', async () => {
    const email = uniqueEmail();
    const res = await service.request('POST', `${BASE}/signup`, {
      body: { email, password: PASSWORD, name: 'Mallory', role: 'admin' },
    });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.role' })]);
    expect(await countUsersWithEmail(email)).toBe(0);
  });

  test('a duplicate email, in another case and with spaces, is 409 and leaves one account and one event', async () => {
    const { id, email } = await signUp(service);
    const res = await service.request('POST', `${BASE}/signup`, {
      body: { email: ` ${email.toUpperCase()}`, password: PASSWORD, name: 'Someone Else' },
    });
    expectProblem(res, 409);
    expect(await countUsersWithEmail(email)).toBe(1);
    expect(await outboxRows(service, Topics.UserCreation, id)).toHaveLength(1);
  });

  test('two concurrent signups with one email: one 201, one 409, one row, one User-Creation', async () => {
    const email = uniqueEmail('race');
    const attempt = () =>
      service.request('POST', `${BASE}/signup`, { body: { email, password: PASSWORD, name: 'Racer' } });
    const results = await Promise.all([attempt(), attempt()]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const created = results.find((r) => r.status === 201)!;
    expectProblem(
      results.find((r) => r.status === 409)!,
      409,
    );

    expect(await countUsersWithEmail(email)).toBe(1);
    const { rows } = await service.pool.query(
      `SELECT count(*) FROM platform_outbox WHERE topic = $1 AND event->'data'->>'email' = $2`,
      [Topics.UserCreation, email],
    );
    expect(Number(rows[0].count)).toBe(1);
    await events.waitFor(Topics.UserCreation, created.body.id);
  });

  const valid = { email: 'valid@example.org', password: PASSWORD, name: 'Valid' };
  test.each([
    ['no body at all', undefined],
    ['an empty object', {}],
    ['a JSON array', [valid]],
    ['a JSON string', '"hello"'],
    ['malformed JSON', '{"email": '],
    ['a missing email', { password: PASSWORD, name: 'x' }],
    ['a malformed email', { ...valid, email: 'not-an-email' }],
    ['an email over 254 characters', { ...valid, email: `${'a'.repeat(250)}@example.org` }],
    ['a missing password', { email: valid.email, name: 'x' }],
    ['a password that is a number', { ...valid, password: 12345678 }],
    ['a password of 7 characters', { ...valid, password: 'kq8#vZp' }],
    ['a password of 129 characters', { ...valid, password: 'k'.repeat(129) }],
    ['a password of 2000 characters', { ...valid, password: 'k'.repeat(2000) }],
    ['one of the most common passwords', { ...valid, password: 'password' }],
    ['a common password in capitals', { ...valid, password: 'SUNSHINE' }],
    ['a missing name', { email: valid.email, password: PASSWORD }],
    ['a blank name', { ...valid, name: '   ' }],
    ['a name over 200 characters', { ...valid, name: 'n'.repeat(201) }],
    ['an unknown role', { ...valid, role: 'teacher' }],
    ['an unknown field', { ...valid, isAdmin: true }],
    ['a status field', { ...valid, status: 'deactivated' }],
  ])('400 problem+json for %s, and no account', async (_name, body) => {
    const res = await service.request('POST', `${BASE}/signup`, body === undefined ? {} : { body });
    expectProblem(res, 400);
    expect(await countUsersWithEmail(valid.email)).toBe(0);
  });

  test('the password rule that failed is named', async () => {
    const res = await service.request('POST', `${BASE}/signup`, { body: { ...valid, password: 'iloveyou' } });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ path: 'body.password', message: expect.stringMatching(/common/) }]);
  });

  test('413 for an oversized body', async () => {
    const res = await service.request('POST', `${BASE}/signup`, {
      body: { ...valid, name: 'n'.repeat(200_000) },
    });
    expectProblem(res, 413);
  });

  test('415 for a body that is not JSON', async () => {
    const res = await service.request('POST', `${BASE}/signup`, {
      body: 'email=a@b.c',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(res, 415);
  });
});

describe('GET /profile', () => {
  test("200 with the caller's own account, whoever else exists", async () => {
    const ada = await signUp(service, { name: 'Ada' });
    const bob = await signUp(service, { name: 'Bob' });
    const adaRes = await service.request('GET', `${BASE}/profile`, {
      token: await logIn(service, ada.email, PASSWORD),
    });
    const bobRes = await service.request('GET', `${BASE}/profile`, {
      token: await logIn(service, bob.email, PASSWORD),
    });
    expect(adaRes.status).toBe(200);
    expect(adaRes.body).toMatchObject({
      id: ada.id,
      email: ada.email,
      name: 'Ada',
      role: 'student',
      status: 'active',
    });
    expect(adaRes.body).not.toHaveProperty('passwordHash');
    expect(bobRes.body).toMatchObject({ id: bob.id, name: 'Bob' });
  });

  test.each([
    ['no token', undefined],
    ['a token that is not a JWT', 'not-a-token'],
  ])('401 problem+json with %s', async (_name, token) => {
    const res = await service.request('GET', `${BASE}/profile`, { token });
    expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('PUT /profile/update', () => {
  test('changes the name: 200, row updated, User-Update with changed [name]', async () => {
    const { id, email } = await signUp(service, { name: 'Old Name' });
    const token = await logIn(service, email, PASSWORD);
    const res = await service.request('PUT', `${BASE}/profile/update`, {
      token,
      body: { name: '  New Name ' },
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, email, name: 'New Name', status: 'active' });
    expect((await userRow(service, id)).name).toBe('New Name');
    const [received] = await events.waitFor(Topics.UserUpdate, id);
    expect(received!.key).toBe(id);
    expect(received!.event.data).toEqual({
      userId: id,
      email,
      name: 'New Name',
      role: 'student',
      status: 'active',
      changed: ['name'],
      updatedAt: res.body.updatedAt,
    });
  });

  test('changes the email (normalised): the new one logs in, the old one no longer does', async () => {
    const { id, email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    const newEmail = uniqueEmail('moved');
    const res = await service.request('PUT', `${BASE}/profile/update`, {
      token,
      body: { email: newEmail.toUpperCase() },
    });

    expect(res.status).toBe(200);
    expect(res.body.email).toBe(newEmail);
    expect((await userRow(service, id)).email).toBe(newEmail);
    const [received] = await events.waitFor(Topics.UserUpdate, id);
    expect(received!.event.data).toMatchObject({ email: newEmail, changed: ['email'] });
    await expect(logIn(service, newEmail, PASSWORD)).resolves.toEqual(expect.any(String));
    await expect(logIn(service, email, PASSWORD)).rejects.toThrow(/401/);
  });

  test("409 for another account's email, also a deactivated one's; nothing changes and no event", async () => {
    const other = await signUp(service);
    const gone = await signUp(service);
    const goneToken = await logIn(service, gone.email, PASSWORD);
    expect((await service.request('DELETE', `${BASE}/deactivate`, { token: goneToken })).status).toBe(204);

    const { id, email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    for (const taken of [other.email, gone.email.toUpperCase()]) {
      const res = await service.request('PUT', `${BASE}/profile/update`, { token, body: { email: taken } });
      expectProblem(res, 409);
    }
    expect((await userRow(service, id)).email).toBe(email);
    expect(await outboxRows(service, Topics.UserUpdate, id)).toHaveLength(0);
  });

  test('changes the password with the current one: every earlier token dies, a login right after works', async () => {
    const { id, email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    const otherSession = await logIn(service, email, PASSWORD);
    const before = await userRow(service, id);
    const newPassword = 'a brand new passphrase';

    const res = await service.request('PUT', `${BASE}/profile/update`, {
      token,
      body: { password: newPassword, currentPassword: PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/argon2|passphrase/);
    // The caller continues with a new session; only the user's OTHER tokens (and the old one) die.
    expect(res.body.session).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(
      (await service.request('GET', `${BASE}/profile`, { token: res.body.session.accessToken })).status,
    ).toBe(200);

    const after = await userRow(service, id);
    expect(after.password_hash).not.toBe(before.password_hash);
    expect(after.password_hash).toMatch(/^\$argon2id\$/);
    expect(after.tokens_revoked_through).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);

    // Logged in within the very second of the change: the new token must not be born revoked.
    const fresh = await logIn(service, email, newPassword);
    const freshIat = JSON.parse(Buffer.from(fresh.split('.')[1]!, 'base64url').toString()).iat;
    expect(freshIat).toBeGreaterThan(after.tokens_revoked_through);
    expect((await service.request('GET', `${BASE}/profile`, { token: fresh })).status).toBe(200);

    for (const old of [token, otherSession]) {
      const denied = await service.request('GET', `${BASE}/profile`, { token: old });
      expectProblem(denied, 401);
    }
    await expect(logIn(service, email, PASSWORD)).rejects.toThrow(/401/);

    const [updated] = await events.waitFor(Topics.UserUpdate, id);
    expect(updated!.event.data).toMatchObject({ userId: id, changed: ['password'] });
    expect(JSON.stringify(updated!.event)).not.toMatch(/argon2|passphrase/);
    const [revoked] = await events.waitFor(Topics.SessionRevoked, id);
    expect(revoked!.event.data).toEqual({
      userId: id,
      issuedAtOrBefore: after.tokens_revoked_through,
      expiresAt: after.tokens_revoked_through + 900,
      reason: 'password-change',
    });
  });

  test('a second password change in the same second still kills the token issued after the first', async () => {
    const { id, email } = await signUp(service);
    const first = 'first new passphrase';
    const second = 'second new passphrase';
    const token = await logIn(service, email, PASSWORD);
    expect(
      (
        await service.request('PUT', `${BASE}/profile/update`, {
          token,
          body: { password: first, currentPassword: PASSWORD },
        })
      ).status,
    ).toBe(200);
    const between = await logIn(service, email, first);
    const keeper = await logIn(service, email, first);
    expect(
      (
        await service.request('PUT', `${BASE}/profile/update`, {
          token: keeper,
          body: { password: second, currentPassword: first },
        })
      ).status,
    ).toBe(200);
    expectProblem(await service.request('GET', `${BASE}/profile`, { token: between }), 401);
    const latest = await logIn(service, email, second);
    expect((await service.request('GET', `${BASE}/profile`, { token: latest })).status).toBe(200);
    await events.waitFor(Topics.SessionRevoked, id, 2);
  });

  test('a wrong currentPassword is 403 and changes nothing', async () => {
    const { id, email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    const before = await userRow(service, id);
    const res = await service.request('PUT', `${BASE}/profile/update`, {
      token,
      body: { password: 'a brand new passphrase', currentPassword: 'not my password at all' },
    });
    expectProblem(res, 403);
    expect(await userRow(service, id)).toEqual(before);
    expect((await service.request('GET', `${BASE}/profile`, { token })).status).toBe(200);
    expect(await outboxRows(service, Topics.UserUpdate, id)).toHaveLength(0);
  });

  test.each([
    ['an empty object', {}],
    ['a new password without currentPassword', { password: 'a brand new passphrase' }],
    ['currentPassword alone', { currentPassword: PASSWORD }],
    ['a too common new password', { password: 'baseball', currentPassword: PASSWORD }],
    ['a too short new password', { password: 'short', currentPassword: PASSWORD }],
    ['a role (no self-promotion)', { role: 'admin' }],
    ['a status', { status: 'active' }],
    ['an unknown field', { name: 'x', nickname: 'y' }],
    ['a blank name', { name: ' ' }],
    ['a malformed email', { email: 'nope' }],
    ['a name of the wrong type', { name: 42 }],
    ['a JSON array', ['name']],
  ])('400 problem+json for %s, and nothing changes', async (_name, body) => {
    const { id, email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    const before = await userRow(service, id);
    const res = await service.request('PUT', `${BASE}/profile/update`, { token, body });
    expectProblem(res, 400);
    expect(await userRow(service, id)).toEqual(before);
  });

  test('413 for an oversized body, 401 without a token', async () => {
    const { email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    expectProblem(
      await service.request('PUT', `${BASE}/profile/update`, { token, body: { name: 'n'.repeat(200_000) } }),
      413,
    );
    expectProblem(await service.request('PUT', `${BASE}/profile/update`, { body: { name: 'Anyone' } }), 401);
  });
});

describe('DELETE /deactivate', () => {
  test('204: the row stays deactivated, every token dies, login is refused, the email stays taken; User-Update and Session-Revoked reach Kafka', async () => {
    const { id, email } = await signUp(service, { role: 'instructor' });
    const token = await logIn(service, email, PASSWORD);
    const otherSession = await logIn(service, email, PASSWORD);

    const res = await service.request('DELETE', `${BASE}/deactivate`, { token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const row = await userRow(service, id);
    expect(row).toMatchObject({ id, email, status: 'deactivated', role: 'instructor' });
    expect(row.tokens_revoked_through).toEqual(expect.any(Number));

    for (const old of [token, otherSession])
      expectProblem(await service.request('GET', `${BASE}/profile`, { token: old }), 401);
    const login = await service.request('POST', `${BASE}/login`, {
      body: { email, password: PASSWORD },
      headers: { 'x-forwarded-for': clientIp() },
    });
    expectProblem(login, 401);
    expect(login.body.detail).toBe('invalid email or password');
    expectProblem(
      await service.request('POST', `${BASE}/signup`, { body: { email, password: PASSWORD, name: 'Again' } }),
      409,
    );

    const [updated] = await events.waitFor(Topics.UserUpdate, id);
    expect(updated!.event.data).toMatchObject({
      userId: id,
      email,
      role: 'instructor',
      status: 'deactivated',
      changed: ['status'],
    });
    const [revoked] = await events.waitFor(Topics.SessionRevoked, id);
    expect(revoked!.event.data).toEqual({
      userId: id,
      issuedAtOrBefore: row.tokens_revoked_through,
      expiresAt: row.tokens_revoked_through + 900,
      reason: 'deactivation',
    });
  });

  test('400 for a body with fields (and the account stays active), 401 without a token', async () => {
    const { id, email } = await signUp(service);
    const token = await logIn(service, email, PASSWORD);
    expectProblem(
      await service.request('DELETE', `${BASE}/deactivate`, { token, body: { userId: 'someone-else' } }),
      400,
    );
    expect((await userRow(service, id)).status).toBe('active');
    expectProblem(await service.request('DELETE', `${BASE}/deactivate`), 401);
  });
});

describe('admin bootstrap (USERS_BOOTSTRAP_ADMIN_EMAIL/_PASSWORD)', () => {
  test('creates the admin once, normalised, with its User-Creation event; a restart changes nothing', async () => {
    const { rows } = await service.pool.query('SELECT id, email, role, status FROM users WHERE email = $1', [
      ADMIN_EMAIL,
    ]);
    expect(rows).toEqual([{ id: expect.any(String), email: ADMIN_EMAIL, role: 'admin', status: 'active' }]);
    expect(await outboxRows(service, Topics.UserCreation, rows[0].id)).toHaveLength(1);

    const token = await logIn(service, ADMIN_EMAIL, ADMIN_PASSWORD);
    const profile = await service.request('GET', `${BASE}/profile`, { token });
    expect(profile.body).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' });

    await createUsersService(service.ctx); // what a restart (or a second replica) runs
    expect(await countUsersWithEmail(ADMIN_EMAIL)).toBe(1);
    expect(await outboxRows(service, Topics.UserCreation, rows[0].id)).toHaveLength(1);
  });
});

describe('service surface', () => {
  test('GET /openapi.json is an OpenAPI 3.1 document listing every route', async () => {
    const res = await service.request('GET', `${BASE}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths).sort()).toEqual(
      [
        '/.well-known/jwks.json',
        '/deactivate',
        '/login',
        '/logout',
        '/profile',
        '/profile/update',
        '/revocations',
        '/session',
        '/session/refresh',
        '/signup',
      ].sort(),
    );
    expect(res.body.paths['/signup'].post.responses).toHaveProperty('409');
  });

  test('GET /readyz checks the database', async () => {
    const res = await service.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: 'ok' });
  });
});
