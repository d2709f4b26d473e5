import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { TestTokenIssuer } from '@moocflix/platform-testing';
import { createAuthenticator, type AuthenticatorOptions } from './authenticator';
import type { JSONWebKeySet } from 'jose';
import { InMemoryRevocationList } from './revocation-list';

const logger = pino({ level: 'silent' });
const keyA = new TestTokenIssuer({ kid: 'key-a' });
const keyB = new TestTokenIssuer({ kid: 'key-b' });
const student = { role: 'student' as const };

/** The users service's JWKS endpoint, as far as verifiers can tell: what it serves and how often it is asked. */
const endpoint = {
  jwks: { keys: [] } as JSONWebKeySet,
  status: 200,
  fetches: 0,
};
let server: Server;
let jwksUrl: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    endpoint.fetches++;
    res.writeHead(endpoint.status, { 'content-type': 'application/json' }).end(JSON.stringify(endpoint.jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => {
  Object.assign(endpoint, { jwks: { keys: [...keyA.jwks.keys] }, status: 200, fetches: 0 });
});

function remoteAuthenticator(options: Partial<AuthenticatorOptions> = {}) {
  return createAuthenticator({
    issuer: keyA.issuer,
    audience: keyA.audience,
    jwksUrl,
    revocations: new InMemoryRevocationList(),
    logger,
    ...options,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Short enough for a test, long enough that a loaded CI machine verifies a burst of tokens within it. */
const COOLDOWN_MS = 1000;
const afterCooldown = () => sleep(COOLDOWN_MS + 100);

describe('authenticator with a JWKS URL', () => {
  test('verifies tokens with the fetched keys and caches them', async () => {
    const auth = remoteAuthenticator();
    for (let i = 0; i < 5; i++) {
      await expect(auth.verify(await keyA.sign({ ...student, userId: `u${i}` }))).resolves.toMatchObject({
        userId: `u${i}`,
      });
    }
    expect(endpoint.fetches).toBe(1);
  });

  test('key rotation: with two keys published, tokens of both verify', async () => {
    const auth = remoteAuthenticator({ jwksCooldownMs: COOLDOWN_MS });
    const oldToken = await keyA.sign(student);
    await expect(auth.verify(oldToken)).resolves.toBeDefined();

    endpoint.jwks = { keys: [...keyA.jwks.keys, ...keyB.jwks.keys] };
    await afterCooldown();
    // The new kid is unknown to the cached set: one refetch picks it up.
    await expect(auth.verify(await keyB.sign(student))).resolves.toBeDefined();
    await expect(auth.verify(oldToken)).resolves.toBeDefined();
    expect(endpoint.fetches).toBe(2);
  });

  test('an unknown kid triggers one refetch, and a flood of them no more than that', async () => {
    const auth = remoteAuthenticator({ jwksCooldownMs: COOLDOWN_MS });
    const burst = await Promise.all(Array.from({ length: 20 }, () => keyA.signWithUnknownKid(student)));
    const flood = await Promise.all(Array.from({ length: 50 }, () => keyA.signWithUnknownKid(student)));
    const refuse = (tokens: string[]) =>
      Promise.all(
        tokens.map((token) =>
          expect(auth.verify(token)).rejects.toMatchObject({ status: 401, detail: 'invalid token' }),
        ),
      );
    await auth.verify(await keyA.sign(student));
    expect(endpoint.fetches).toBe(1);

    // Right after a fetch (cooling down): unknown kids are refused without asking the endpoint.
    await refuse(burst);
    expect(endpoint.fetches).toBe(1);

    // Cooled down: the first unknown kid refetches once; the concurrent rest share that fetch.
    await afterCooldown();
    await refuse(flood);
    expect(endpoint.fetches).toBe(2);
    await refuse(burst);
    expect(endpoint.fetches).toBe(2);
  });

  test('with the default cooldown, unknown kids right after start cause no refetch at all', async () => {
    const auth = remoteAuthenticator();
    await auth.verify(await keyA.sign(student));
    for (let i = 0; i < 10; i++)
      await expect(auth.verify(await keyA.signWithUnknownKid(student))).rejects.toMatchObject({
        status: 401,
      });
    expect(endpoint.fetches).toBe(1);
  });

  test('tokens of a key that is not published are refused even after a refetch', async () => {
    const auth = remoteAuthenticator({ jwksCooldownMs: 0 });
    await expect(auth.verify(await keyB.sign(student))).rejects.toMatchObject({
      status: 401,
      detail: 'invalid token',
    });
    await expect(auth.verify(await keyA.signWithForeignKey(student))).rejects.toMatchObject({
      status: 401,
      detail: 'invalid token',
    });
  });

  test('an unreachable or failing JWKS endpoint is a 503 (our fault), not a 401 (the caller’s), and recovers', async () => {
    endpoint.status = 500;
    const auth = remoteAuthenticator();
    const token = await keyA.sign(student);
    await expect(auth.verify(token)).rejects.toMatchObject({
      status: 503,
      detail: 'token verification is temporarily unavailable',
    });

    endpoint.status = 200;
    await expect(auth.verify(token)).resolves.toBeDefined();

    const nothingListening = remoteAuthenticator({ jwksUrl: 'http://127.0.0.1:1/.well-known/jwks.json' });
    await expect(nothingListening.verify(token)).rejects.toMatchObject({ status: 503 });
  });

  test('a token that fails before the key lookup (alg none, HS256) never causes a fetch', async () => {
    const auth = remoteAuthenticator();
    await expect(auth.verify(keyA.forgeAlgNone(student))).rejects.toMatchObject({ status: 401 });
    await expect(auth.verify(keyA.forgeHs256WithPublicKey(student))).rejects.toMatchObject({ status: 401 });
    await expect(auth.verify(await keyA.signWithoutKid(student))).rejects.toMatchObject({ status: 401 });
    expect(endpoint.fetches).toBe(0);
  });
});
