/**
 * Login throttling (docs/throttle-policy.md): the guesser slows himself down, the account's owner
 * from another address is not affected, a distributed attack meets a per-account ceiling, and the
 * answers are the same for unknown emails. Small numbers so the delays fit in a test.
 */
import { BASE, clientIp, expectProblem, logIn, PASSWORD, signUp, uniqueEmail } from './fixtures';
import { startUsersService, type TestResponse, type UsersTestService } from './users-test-service';

const FREE_PER_ACCOUNT_ADDRESS = 3;
const FREE_PER_ADDRESS = 8;
const BACKOFF_BASE_SECONDS = 2;
const ACCOUNT_CEILING = 12;

jest.setTimeout(90_000);

const throttleEnv = {
  LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS: String(FREE_PER_ACCOUNT_ADDRESS),
  LOGIN_FREE_FAILURES_PER_ADDRESS: String(FREE_PER_ADDRESS),
  LOGIN_BACKOFF_BASE_SECONDS: String(BACKOFF_BASE_SECONDS),
  LOGIN_BACKOFF_MAX_SECONDS: '900',
  LOGIN_FORGET_AFTER_SECONDS: '900',
  LOGIN_ACCOUNT_CEILING: String(ACCOUNT_CEILING),
  LOGIN_ACCOUNT_CEILING_WINDOW_SECONDS: '3600',
};

/** Behind a trusted proxy (127.0.0.1, as startUsersService sets it): X-Forwarded-For names the client. */
let service: UsersTestService;
/** The default: no trusted proxy, so the client is the TCP peer whatever X-Forwarded-For says. */
let exposed: UsersTestService;

beforeAll(async () => {
  [service, exposed] = await Promise.all([
    startUsersService(throttleEnv),
    startUsersService({ ...throttleEnv, TRUSTED_PROXIES: '' }),
  ]);
});

afterAll(async () => {
  await Promise.all([service?.close(), exposed?.close()]);
});

const login = (email: string, password: string, ip: string, target = service) =>
  target.request('POST', `${BASE}/login`, { body: { email, password }, headers: { 'x-forwarded-for': ip } });

const retryAfter = (res: TestResponse) => Number(res.headers.get('retry-after'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A problem body without its per-request instance. */
const comparable = (res: TestResponse) => {
  const { instance: _instance, ...rest } = res.body;
  return { status: res.status, body: rest };
};

describe('per (account, address): the attacker waits, the owner does not', () => {
  test('after the free failures, each further one makes that address wait twice as long; the owner elsewhere logs in', async () => {
    const { email } = await signUp(service);
    const attacker = clientIp();
    for (let i = 0; i < FREE_PER_ACCOUNT_ADDRESS; i++)
      expect((await login(email, `guess ${i}`, attacker)).status).toBe(401);

    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      // Admitted (the previous delay has passed), wrong, and it sets the next delay.
      expect((await login(email, `guess round ${round}`, attacker)).status).toBe(401);
      const refused = await login(email, PASSWORD, attacker);
      expectProblem(refused, 429);
      expect(refused.body.detail).toBe(`Try again in ${retryAfter(refused)} s`);
      waits.push(retryAfter(refused));
      // The owner, from another address, is not slowed down at all, even mid-attack.
      expect((await login(email, PASSWORD, clientIp())).status).toBe(200);
      if (round < 2) await sleep(retryAfter(refused) * 1000);
    }
    // 2, 4, 8 s, give or take the second the request itself took.
    const expected = [1, 2, 4].map((k) => k * BACKOFF_BASE_SECONDS);
    waits.forEach((wait, i) => {
      expect(wait).toBeLessThanOrEqual(expected[i]!);
      expect(wait).toBeGreaterThanOrEqual(expected[i]! - 1);
    });

    const { rows } = await service.pool.query(
      'SELECT failures, blocked_until > now() AS blocked FROM login_throttle WHERE bucket = $1',
      [`login:account-address:${attacker} ${email}`],
    );
    expect(rows).toEqual([{ failures: FREE_PER_ACCOUNT_ADDRESS + 3, blocked: true }]);
  });

  test('a refused attempt does not count: waiting out Retry-After is enough to be admitted again', async () => {
    const { email } = await signUp(service);
    const ip = clientIp();
    for (let i = 0; i <= FREE_PER_ACCOUNT_ADDRESS; i++)
      expect((await login(email, 'wrong', ip)).status).toBe(401);
    let refused: TestResponse | undefined;
    for (let i = 0; i < 5; i++) refused = await login(email, PASSWORD, ip);
    expectProblem(refused!, 429);
    await sleep(retryAfter(refused!) * 1000);
    expect((await login(email, PASSWORD, ip)).status).toBe(200);
  });

  test('a successful login clears its (account, address) counter and takes its typos back from the others: the owner starts over', async () => {
    const { email } = await signUp(service);
    const ip = clientIp();
    // Without the clearing, the second round's first typo would start a delay; the third round
    // passes the per-address limit unless the success took the owner's typos back from it too.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < FREE_PER_ACCOUNT_ADDRESS; i++)
        expect((await login(email, 'typo', ip)).status).toBe(401);
      expect((await login(email, PASSWORD, ip)).status).toBe(200);
    }
    const { rowCount } = await service.pool.query('SELECT 1 FROM login_throttle WHERE bucket = $1', [
      `login:account-address:${ip} ${email}`,
    ]);
    expect(rowCount).toBe(0);
    const address = await service.pool.query('SELECT failures FROM login_throttle WHERE bucket = $1', [
      `login:address:${ip}`,
    ]);
    expect(address.rows).toEqual([{ failures: 0 }]);
  });

  test('wrong currentPassword guesses on /profile/update count in the same counters', async () => {
    const { email } = await signUp(service);
    const ip = clientIp();
    const token = await logIn(service, email, PASSWORD, ip);
    const guess = (currentPassword: string) =>
      service.request('PUT', `${BASE}/profile/update`, {
        token,
        body: { password: 'a brand new passphrase', currentPassword },
        headers: { 'x-forwarded-for': ip },
      });
    for (let i = 0; i <= FREE_PER_ACCOUNT_ADDRESS; i++) expect((await guess(`guess ${i}`)).status).toBe(403);
    expectProblem(await guess(PASSWORD), 429);
    // ... and in the login's: the same address cannot go on guessing there.
    expectProblem(await login(email, 'another guess', ip), 429);
  });
});

test('unknown emails get the same answers, 429 and Retry-After included (nothing to enumerate)', async () => {
  const known = (await signUp(service)).email;
  const unknown = uniqueEmail('nobody');
  const answers = async (email: string) => {
    const ip = clientIp();
    const out: { status: number; body: Record<string, unknown>; retryAfter: number | null }[] = [];
    for (let i = 0; i < FREE_PER_ACCOUNT_ADDRESS + 3; i++) {
      const res = await login(email, 'not the password', ip);
      // The detail names the seconds to wait, which depend on how long the request took.
      const { detail: _detail, ...body } = comparable(res).body;
      out.push({
        status: res.status,
        body,
        retryAfter: res.headers.has('retry-after') ? retryAfter(res) : null,
      });
    }
    return out;
  };
  const forKnown = await answers(known);
  const forUnknown = await answers(unknown);
  expect(forKnown.map((a) => a.status)).toEqual([
    ...Array<number>(FREE_PER_ACCOUNT_ADDRESS + 1).fill(401),
    429,
    429,
  ]);
  const seconds = (a: { retryAfter: number | null }) =>
    a.retryAfter === null
      ? null
      : a.retryAfter >= BACKOFF_BASE_SECONDS - 1 && a.retryAfter <= BACKOFF_BASE_SECONDS;
  expect(forUnknown.map(({ status, body }) => ({ status, body }))).toEqual(
    forKnown.map(({ status, body }) => ({ status, body })),
  );
  expect(forUnknown.map(seconds)).toEqual(forKnown.map(seconds));
  expect(forKnown.map(seconds)).toEqual([null, null, null, null, true, true]);
});

test('concurrent guesses cannot slip under the limit together: each is counted before its password is checked', async () => {
  const { email } = await signUp(service);
  const ip = clientIp();
  const statuses = (
    await Promise.all(Array.from({ length: 12 }, (_, i) => login(email, `parallel guess ${i}`, ip)))
  ).map((res) => res.status);
  // The free failures and the one that starts the first delay are checked; every other is refused.
  expect(statuses.filter((s) => s === 401)).toHaveLength(FREE_PER_ACCOUNT_ADDRESS + 1);
  expect(statuses.filter((s) => s === 429)).toHaveLength(12 - FREE_PER_ACCOUNT_ADDRESS - 1);
});

test('per address: one address spraying many accounts is slowed down, other addresses are not', async () => {
  const ip = clientIp();
  for (let i = 0; i <= FREE_PER_ADDRESS; i++)
    expect((await login(uniqueEmail('spray'), 'guess', ip)).status).toBe(401);
  const { email } = await signUp(service);
  const refused = await login(email, PASSWORD, ip);
  expectProblem(refused, 429);
  expect(retryAfter(refused)).toBeLessThanOrEqual(BACKOFF_BASE_SECONDS);
  expect((await login(email, PASSWORD, clientIp())).status).toBe(200);
});

test('per account: many addresses guessing one account reach the ceiling; other accounts are unaffected', async () => {
  const target = await signUp(service);
  const other = await signUp(service);
  // One failure per address: no (account, address) or address counter gets near its limit.
  for (let i = 0; i <= ACCOUNT_CEILING; i++)
    expect((await login(target.email, `guess ${i}`, clientIp())).status).toBe(401);

  const refused = await login(target.email, 'one more guess', clientIp());
  expectProblem(refused, 429);
  // Until the ceiling's window (an hour here) ends.
  expect(retryAfter(refused)).toBeGreaterThan(3500);
  expect(retryAfter(refused)).toBeLessThanOrEqual(3600);
  // The price of stopping a distributed attack: the owner waits too (docs/throttle-policy.md).
  expectProblem(await login(target.email, PASSWORD, clientIp()), 429);
  expect((await login(other.email, PASSWORD, clientIp())).status).toBe(200);
});

test('IPv6 clients are counted per /64: fresh addresses of the same network share the counter', async () => {
  const { email } = await signUp(service);
  const network = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
  for (let i = 0; i <= FREE_PER_ACCOUNT_ADDRESS; i++)
    expect((await login(email, 'guess', `${network}::${(i + 1).toString(16)}`)).status).toBe(401);
  expectProblem(await login(email, PASSWORD, `${network}:ffff::42`), 429);
  expect((await login(email, PASSWORD, clientIp())).status).toBe(200);
});

describe('with no trusted proxy (the default)', () => {
  test('forged X-Forwarded-For values are ignored: the throttle counts the one real address', async () => {
    // A fresh claimed address and a fresh email per request: only the real peer ties them together.
    for (let i = 0; i <= FREE_PER_ADDRESS; i++) {
      const res = await login(uniqueEmail('forged'), 'guess', clientIp(), exposed);
      expect(res.status).toBe(401);
    }
    const refused = await login(uniqueEmail('forged'), 'guess', clientIp(), exposed);
    expectProblem(refused, 429);

    const { rows } = await exposed.pool.query(
      "SELECT bucket, failures FROM login_throttle WHERE bucket LIKE 'login:address:%'",
    );
    expect(rows).toEqual([{ bucket: 'login:address:127.0.0.1', failures: FREE_PER_ADDRESS + 1 }]);
  });
});
