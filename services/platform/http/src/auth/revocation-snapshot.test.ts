import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { HttpProblem } from '@moocflix/platform-core/errors';
import { createAuthenticator } from './authenticator';
import { InMemoryRevocationList } from './revocation-list';
import {
  REVOCATION_SNAPSHOT_TYPE,
  signRevocationSnapshot,
  startRevocationSnapshotLoader,
  type RevocationSnapshot,
} from './revocation-snapshot';
import { ACCESS_TOKEN_TYPE, type AuthContext } from './types';

import * as jose from 'jose';

const logger = pino({ level: 'silent' });
const ISSUER = 'moocflix-users';
const AUDIENCE = 'moocflix';
const now = () => Math.floor(Date.now() / 1000);

interface Key {
  kid: string;
  privateKey: KeyObject;
  jwk: jose.JWK;
}

function newKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = `k-${randomUUID()}`;
  return {
    kid,
    privateKey,
    jwk: { ...(publicKey.export({ format: 'jwk' }) as jose.JWK), kid, alg: 'EdDSA' },
  };
}

const key = newKey();

function accessToken(claims: { sub: string; jti?: string; iat?: number }, signer = key): Promise<string> {
  const iat = claims.iat ?? now();
  return new jose.SignJWT({ role: 'student' })
    .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.sub)
    .setJti(claims.jti ?? randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + 900)
    .sign(signer.privateKey);
}

function signSnapshot(snapshot: RevocationSnapshot, signer = key, nowSeconds = now()): Promise<string> {
  return signRevocationSnapshot(snapshot, {
    kid: signer.kid,
    privateKey: signer.privateKey,
    issuer: ISSUER,
    audience: AUDIENCE,
    nowSeconds,
  });
}

function authenticator(revocations: InMemoryRevocationList) {
  return createAuthenticator({
    issuer: ISSUER,
    audience: AUDIENCE,
    publicKeys: { keys: [key.jwk] },
    revocations,
    logger,
    verifiedTokenCacheSize: 0,
  });
}

async function status(promise: Promise<AuthContext>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err) {
    if (err instanceof HttpProblem) return err.status;
    throw err;
  }
}

const snapshot = (): RevocationSnapshot => ({
  tokens: [{ tokenId: 'logged-out', expiresAt: now() + 600 }],
  users: [{ userId: 'changed-password', issuedAtOrBefore: now() - 5, expiresAt: now() + 895 }],
});

describe('a revocation list that awaits its snapshot', () => {
  test('refuses every token with 503 until the snapshot is applied, then only the revoked ones', async () => {
    const revocations = new InMemoryRevocationList({ awaitSnapshot: true });
    const auth = authenticator(revocations);
    const loggedOut = await accessToken({ sub: 'someone', jti: 'logged-out' });
    const oldSession = await accessToken({ sub: 'changed-password', iat: now() - 10 });
    const fine = await accessToken({ sub: 'someone-else' });

    expect(revocations.complete).toBe(false);
    // Without the gate the revoked ones would pass here: the list is still empty.
    for (const token of [loggedOut, oldSession, fine]) expect(await status(auth.verify(token))).toBe(503);

    revocations.applySnapshot(snapshot());
    expect(revocations.complete).toBe(true);
    expect(await status(auth.verify(loggedOut))).toBe(401);
    expect(await status(auth.verify(oldSession))).toBe(401);
    expect(await status(auth.verify(fine))).toBe(200);
  });

  test('a snapshot merges with events applied before it and skips what has expired', () => {
    const revocations = new InMemoryRevocationList({ awaitSnapshot: true });
    revocations.revokeToken('from-an-event', now() + 600);
    revocations.applySnapshot({
      tokens: [
        { tokenId: 'in-snapshot', expiresAt: now() + 600 },
        { tokenId: 'long-expired', expiresAt: now() - 3600 },
      ],
      users: [],
    });
    const auth = (tokenId: string): AuthContext => ({
      userId: 'u',
      role: 'student',
      tokenId,
      issuedAt: now(),
      expiresAt: now() + 900,
    });
    expect(revocations.isRevoked(auth('from-an-event'))).toBe(true);
    expect(revocations.isRevoked(auth('in-snapshot'))).toBe(true);
    expect(revocations.size).toBe(2);
  });

  test('a list made without awaitSnapshot is complete from the start (tests, no restart involved)', () => {
    expect(new InMemoryRevocationList().complete).toBe(true);
  });
});

describe('verifyRevocationSnapshot', () => {
  const auth = authenticator(new InMemoryRevocationList());

  test('accepts a snapshot signed with a trusted key and returns its lists', async () => {
    const expected = snapshot();
    expect(await auth.verifyRevocationSnapshot(await signSnapshot(expected))).toEqual(expected);
  });

  test.each<[string, () => Promise<string>]>([
    [
      'signed by an untrusted key under the trusted kid',
      () => signSnapshot(snapshot(), { ...newKey(), kid: key.kid }),
    ],
    ['an access token (typ at+jwt)', () => accessToken({ sub: 'u' })],
    ['older than a minute', () => signSnapshot(snapshot(), key, now() - 300)],
    [
      'a snapshot whose lists are malformed',
      () =>
        new jose.SignJWT({ tokens: [{ tokenId: 42 }], users: [] })
          .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: REVOCATION_SNAPSHOT_TYPE })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('1m')
          .sign(key.privateKey),
    ],
    [
      'from another issuer',
      () =>
        new jose.SignJWT({ tokens: [], users: [] })
          .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: REVOCATION_SNAPSHOT_TYPE })
          .setIssuer('someone-else')
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('1m')
          .sign(key.privateKey),
    ],
  ])('refuses %s', async (_name, make) => {
    await expect(auth.verifyRevocationSnapshot(await make())).rejects.toThrow();
  });

  test('a snapshot is never accepted as an access token', async () => {
    expect(await status(auth.verify(await signSnapshot(snapshot())))).toBe(401);
  });
});

describe('startRevocationSnapshotLoader', () => {
  let server: Server;
  let url: string;
  let answer: () => Promise<{ status: number; body: string }>;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      void answer().then(({ status: code, body }) => res.writeHead(code).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/users/revocations`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    requests = 0;
  });

  test('retries until the users service answers, then applies the snapshot', async () => {
    const revocations = new InMemoryRevocationList({ awaitSnapshot: true });
    const auth = authenticator(revocations);
    answer = async () =>
      requests <= 2
        ? { status: 503, body: 'starting' }
        : { status: 200, body: await signSnapshot(snapshot()) };

    const loader = startRevocationSnapshotLoader({
      url,
      verify: (jws) => auth.verifyRevocationSnapshot(jws),
      revocations,
      logger,
      retryDelayMs: 10,
    });
    await loader.loaded;
    loader.close();

    expect(requests).toBe(3);
    expect(revocations.complete).toBe(true);
    expect(await status(auth.verify(await accessToken({ sub: 'x', jti: 'logged-out' })))).toBe(401);
  });

  test('never applies a forged snapshot: the list stays incomplete and tokens keep getting 503', async () => {
    const revocations = new InMemoryRevocationList({ awaitSnapshot: true });
    const auth = authenticator(revocations);
    const attacker = newKey();
    answer = async () => ({ status: 200, body: await signSnapshot({ tokens: [], users: [] }, attacker) });

    const loader = startRevocationSnapshotLoader({
      url,
      verify: (jws) => auth.verifyRevocationSnapshot(jws),
      revocations,
      logger,
      retryDelayMs: 10,
      maxRetryDelayMs: 20,
    });
    for (let i = 0; i < 100 && requests < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    loader.close();
    await expect(loader.loaded).rejects.toThrow(/closed/);

    expect(requests).toBeGreaterThanOrEqual(3);
    expect(revocations.complete).toBe(false);
    expect(await status(auth.verify(await accessToken({ sub: 'x' })))).toBe(503);
  });
});
