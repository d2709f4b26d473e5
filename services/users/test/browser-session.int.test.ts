/**
 * The browser session of the web console: sign-in with a refresh cookie, rotation, reuse detection,
 * sign-out, expiry, CSRF, and the user-wide revocations (logout, password change, deactivation)
 * reaching the refresh tokens. Real PostgreSQL; the rows are asserted besides the answers.
 */
import { createHash } from 'node:crypto';
import { Topics } from '@moocflix/platform-bus';
import { BASE, clientIp, expectProblem, PASSWORD, signUp } from './fixtures';
import { startUsersService, type TestResponse, type UsersTestService } from './users-test-service';

jest.setTimeout(60_000);

let service: UsersTestService;

beforeAll(async () => {
  service = await startUsersService();
});

afterAll(async () => {
  await service?.close();
});

const CSRF = { 'x-moocflix-csrf': '1' };
const COOKIE =
  /^moocflix_refresh=([A-Za-z0-9_-]{43}); Path=\/api\/v1\/users\/session; Max-Age=1209600; HttpOnly; Secure; SameSite=Strict$/;
const CLEARED = 'moocflix_refresh=; Path=/api/v1/users/session; Max-Age=0; HttpOnly; Secure; SameSite=Strict';

const setCookies = (res: TestResponse) => res.headers.getSetCookie();

/** The refresh token the answer set, checking the cookie's attributes exactly. */
function refreshTokenOf(res: TestResponse): string {
  const cookies = setCookies(res);
  expect(cookies).toHaveLength(1);
  expect(cookies[0]).toMatch(COOKIE);
  return COOKIE.exec(cookies[0]!)![1]!;
}

const signIn = (email: string, password = PASSWORD, headers: Record<string, string> = CSRF) =>
  service.request('POST', `${BASE}/session`, {
    body: { email, password },
    headers: { 'x-forwarded-for': clientIp(), ...headers },
  });

const refresh = (token: string | undefined, headers: Record<string, string> = CSRF) =>
  service.request('POST', `${BASE}/session/refresh`, {
    headers: { ...headers, ...(token === undefined ? {} : { cookie: `moocflix_refresh=${token}` }) },
  });

const signOut = (token: string | undefined, accessToken?: string) =>
  service.request('DELETE', `${BASE}/session`, {
    token: accessToken,
    headers: { ...CSRF, ...(token === undefined ? {} : { cookie: `theme=dark; moocflix_refresh=${token}` }) },
  });

const profile = (accessToken: string) => service.request('GET', `${BASE}/profile`, { token: accessToken });

const sha256 = (token: string) => createHash('sha256').update(token).digest();

async function rowOf(token: string) {
  const { rows } = await service.pool.query(
    `SELECT family_id, user_id, rotated_at IS NOT NULL AS rotated, revoked_at IS NOT NULL AS revoked,
            round(extract(epoch FROM expires_at - created_at)) AS ttl
       FROM refresh_tokens WHERE token_hash = $1`,
    [sha256(token)],
  );
  return rows[0];
}

async function signedIn() {
  const user = await signUp(service);
  const res = await signIn(user.email);
  expect(res.status).toBe(200);
  return { user, accessToken: res.body.accessToken as string, refreshToken: refreshTokenOf(res) };
}

describe('POST /session', () => {
  test('200 with an access token as /login gives, and the refresh token only in the cookie, stored hashed', async () => {
    const user = await signUp(service);
    const res = await signIn(user.email.toUpperCase());

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
    });
    expect(res.body.expiresIn).toBeGreaterThan(890);
    const refreshToken = refreshTokenOf(res);
    expect(res.text).not.toContain(refreshToken);
    expect((await profile(res.body.accessToken)).body.id).toBe(user.id);

    // Only the SHA-256 is stored: the table holds nothing a thief could present.
    expect(await rowOf(refreshToken)).toEqual({
      family_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: user.id,
      rotated: false,
      revoked: false,
      ttl: 1209600,
    });
    const { rows } = await service.pool.query(
      "SELECT count(*)::int AS n FROM refresh_tokens WHERE position(convert_to($1, 'UTF8') in token_hash) > 0",
      [refreshToken],
    );
    expect(rows[0].n).toBe(0);
  });

  test('wrong password: the 401 of /login, and no cookie', async () => {
    const user = await signUp(service);
    const res = await signIn(user.email, 'not the password at all');
    expectProblem(res, 401);
    expect(setCookies(res)).toEqual([]);
  });
});

describe('POST /session/refresh', () => {
  test('rotates: a new access token and a new cookie in the same family; the old token is marked rotated', async () => {
    const { user, refreshToken } = await signedIn();
    const res = await refresh(refreshToken);

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
    });
    const next = refreshTokenOf(res);
    expect(next).not.toBe(refreshToken);
    expect((await profile(res.body.accessToken)).body.id).toBe(user.id);

    const old = await rowOf(refreshToken);
    expect(old).toMatchObject({ rotated: true, revoked: false });
    expect(await rowOf(next)).toMatchObject({
      family_id: old.family_id,
      user_id: user.id,
      rotated: false,
      revoked: false,
    });

    // The successor works in turn.
    expect((await refresh(next)).status).toBe(200);
  });

  test('a rotated-out token presented again revokes the whole family: the thief and the owner both sign in again', async () => {
    const { refreshToken } = await signedIn();
    const current = refreshTokenOf(await refresh(refreshToken));

    const reuse = await refresh(refreshToken);
    expectProblem(reuse, 401);
    expect(setCookies(reuse)).toEqual([CLEARED]);

    // The family's live token died with it.
    expectProblem(await refresh(current), 401);
    const family = (await rowOf(refreshToken)).family_id;
    const { rows } = await service.pool.query(
      'SELECT revoked_at IS NOT NULL AS revoked FROM refresh_tokens WHERE family_id = $1',
      [family],
    );
    expect(rows).toEqual([{ revoked: true }, { revoked: true }]);
  });

  test('another sign-in of the same user is a family of its own and survives the reuse', async () => {
    const { user, refreshToken } = await signedIn();
    const other = refreshTokenOf(await signIn(user.email));
    await refresh(refreshToken);
    expectProblem(await refresh(refreshToken), 401);
    expect((await refresh(other)).status).toBe(200);
  });

  test('no cookie, an unknown or malformed token, an expired token: 401 and the cookie cleared', async () => {
    const { refreshToken } = await signedIn();
    await service.pool.query(
      "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
      [sha256(refreshToken)],
    );
    for (const token of [undefined, 'A'.repeat(43), 'not-a-token', refreshToken]) {
      const res = await refresh(token);
      expectProblem(res, 401);
      expect(setCookies(res)).toEqual([CLEARED]);
    }
  });

  test('a deactivated account cannot refresh', async () => {
    const { accessToken, refreshToken } = await signedIn();
    expect((await service.request('DELETE', `${BASE}/deactivate`, { token: accessToken })).status).toBe(204);
    expectProblem(await refresh(refreshToken), 401);
    expect(await rowOf(refreshToken)).toMatchObject({ revoked: true });
  });

  test('a deactivated account cannot refresh even if its family were live (status checked on every refresh)', async () => {
    const { user, refreshToken } = await signedIn();
    await service.pool.query("UPDATE users SET status = 'deactivated' WHERE id = $1", [user.id]);
    expectProblem(await refresh(refreshToken), 401);
    expect(await rowOf(refreshToken)).toMatchObject({ rotated: false, revoked: true });
  });

  test('a password change and POST /logout end every browser session of the user', async () => {
    const changed = await signedIn();
    const update = await service.request('PUT', `${BASE}/profile/update`, {
      token: changed.accessToken,
      body: { password: 'a brand new long passphrase', currentPassword: PASSWORD },
      headers: { 'x-forwarded-for': clientIp() },
    });
    expect(update.status).toBe(200);
    expectProblem(await refresh(changed.refreshToken), 401);

    const loggedOut = await signedIn();
    expect((await service.request('POST', `${BASE}/logout`, { token: loggedOut.accessToken })).status).toBe(
      204,
    );
    expectProblem(await refresh(loggedOut.refreshToken), 401);
  });
});

describe('DELETE /session', () => {
  test('204: the family is revoked, the cookie cleared and the access token revoked like /logout', async () => {
    const { user, accessToken, refreshToken } = await signedIn();
    const current = refreshTokenOf(await refresh(refreshToken));
    const res = await signOut(current, accessToken);

    expect(res.status).toBe(204);
    expect(setCookies(res)).toEqual([CLEARED]);
    expectProblem(await refresh(current), 401);
    expectProblem(await profile(accessToken), 401);
    expect(await rowOf(refreshToken)).toMatchObject({ revoked: true });
    const { rows } = await service.pool.query(
      "SELECT event->'data' AS data FROM platform_outbox WHERE topic = $1 AND message_key = $2",
      [Topics.SessionRevoked, user.id],
    );
    expect(rows).toEqual([
      { data: expect.objectContaining({ tokenId: expect.any(String), reason: 'logout' }) },
    ]);
  });

  test('works without an access token, and with a dead cookie', async () => {
    const { accessToken, refreshToken } = await signedIn();
    expect((await signOut(refreshToken)).status).toBe(204);
    expectProblem(await refresh(refreshToken), 401);
    // The access token was not sent, so it is not revoked: it expires on its own.
    expect((await profile(accessToken)).status).toBe(200);
    expect((await signOut(refreshToken)).status).toBe(204);
    expect((await signOut(undefined, 'not.a.token')).status).toBe(204);
  });
});

describe('CSRF defence of the cookie routes', () => {
  test('without X-MoocFlix-CSRF: 403, nothing done', async () => {
    const { user, refreshToken } = await signedIn();
    expectProblem(await signIn(user.email, PASSWORD, {}), 403);
    expectProblem(await refresh(refreshToken, {}), 403);
    expectProblem(await refresh(refreshToken, { 'x-moocflix-csrf': 'true' }), 403);
    const signOutWithout = await service.request('DELETE', `${BASE}/session`, {
      headers: { cookie: `moocflix_refresh=${refreshToken}` },
    });
    expectProblem(signOutWithout, 403);
    expect(await rowOf(refreshToken)).toMatchObject({ rotated: false, revoked: false });
  });

  test('with a foreign Origin: 403; with our own: 200', async () => {
    const { user, refreshToken } = await signedIn();
    for (const origin of ['https://evil.example', 'null', `${service.url}.evil.example`]) {
      expectProblem(await refresh(refreshToken, { ...CSRF, origin }), 403);
      expectProblem(await signIn(user.email, PASSWORD, { ...CSRF, origin }), 403);
    }
    expect(await rowOf(refreshToken)).toMatchObject({ rotated: false, revoked: false });
    expect((await refresh(refreshToken, { ...CSRF, origin: service.url })).status).toBe(200);
  });

  test('PUBLIC_ORIGIN, when set, is the one origin accepted', async () => {
    const other = await startUsersService({ PUBLIC_ORIGIN: 'https://moocflix.example.org' });
    try {
      const user = await signUp(other);
      const attempt = (origin: string) =>
        other.request('POST', `${BASE}/session`, {
          body: { email: user.email, password: PASSWORD },
          headers: { ...CSRF, origin, 'x-forwarded-for': clientIp() },
        });
      expectProblem(await attempt(other.url), 403);
      expect((await attempt('https://moocflix.example.org')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
