import { hostname } from 'node:os';
import pino from 'pino';
import { createEvent } from '@moocflix/platform-bus';
import type { EventData } from '@moocflix/platform-bus';
import { InProcessEventBus } from '@moocflix/platform-bus';
import { Topics } from '@moocflix/platform-bus';
import { TestTokenIssuer } from '@moocflix/platform-testing';
import { createAuthenticator } from './authenticator';
import { startRevocationFeed, type RevocationFeed } from './revocation-feed';
import { InMemoryRevocationList } from './revocation-list';
import type { Authenticator } from './types';

const logger = pino({ level: 'silent' });
const issuer = new TestTokenIssuer();
const nowSeconds = () => Math.floor(Date.now() / 1000);

let bus: InProcessEventBus;
const feeds: RevocationFeed[] = [];

/** One service instance: its own revocation list, authenticator and feed, sharing only the bus. */
async function startInstance(service: string): Promise<Authenticator> {
  const revocations = new InMemoryRevocationList();
  feeds.push(await startRevocationFeed({ bus, revocations, groupId: service, logger }));
  return createAuthenticator({
    issuer: issuer.issuer,
    audience: issuer.audience,
    publicKeys: issuer.jwks,
    revocations,
    logger,
  });
}

function publishRevocation(data: EventData<typeof Topics.SessionRevoked>) {
  const event = createEvent(Topics.SessionRevoked, { source: 'users', subject: data.userId, data });
  return bus.publish([{ topic: Topics.SessionRevoked, key: data.userId, value: JSON.stringify(event) }]);
}

/** Polls until `token` is refused as revoked; returns how long that took. */
async function timeUntilRevoked(auth: Authenticator, token: string, withinMs = 2000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const outcome = await auth.verify(token).then(
      () => 'accepted',
      (err: { detail?: string }) => err.detail,
    );
    if (outcome === 'token revoked') return Date.now() - start;
    if (Date.now() - start > withinMs) throw new Error(`token still ${outcome} after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeEach(() => {
  bus = new InProcessEventBus({ logger });
});

afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.close()));
  await bus.close();
});

describe('startRevocationFeed', () => {
  test('a logout in one instance kills the token in another instance within 2 s', async () => {
    const users = await startInstance('users');
    const courses = await startInstance('courses');
    const token = await issuer.sign({ role: 'student', userId: 'u1', jti: 'session-1' });
    await expect(courses.verify(token)).resolves.toMatchObject({ tokenId: 'session-1' });

    await publishRevocation({
      userId: 'u1',
      tokenId: 'session-1',
      expiresAt: nowSeconds() + 900,
      reason: 'logout',
    });

    expect(await timeUntilRevoked(courses, token)).toBeLessThan(2000);
    expect(await timeUntilRevoked(users, token)).toBeLessThan(2000);
    // Only that session: another token of the same user lives on.
    await expect(courses.verify(await issuer.sign({ role: 'student', userId: 'u1' }))).resolves.toBeDefined();
  });

  test('a password change kills every token of the user issued at or before the cut-off', async () => {
    const courses = await startInstance('courses');
    const cutOff = nowSeconds() - 5;
    const older = await issuer.sign({ role: 'student', userId: 'u2', issuedAt: cutOff - 30 });
    const newer = await issuer.sign({ role: 'student', userId: 'u2', issuedAt: cutOff + 1 });

    await publishRevocation({
      userId: 'u2',
      issuedAtOrBefore: cutOff,
      expiresAt: nowSeconds() + 900,
      reason: 'password-change',
    });

    await timeUntilRevoked(courses, older);
    await expect(courses.verify(newer)).resolves.toMatchObject({ userId: 'u2' });
  });

  test('an instance started after the revocation still learns it (reads from the earliest event)', async () => {
    await publishRevocation({
      userId: 'u3',
      tokenId: 'old-session',
      expiresAt: nowSeconds() + 900,
      reason: 'logout',
    });
    const lateInstance = await startInstance('assessments');
    await timeUntilRevoked(
      lateInstance,
      await issuer.sign({ role: 'student', userId: 'u3', jti: 'old-session' }),
    );
  });

  test('instances of the same service get their own consumer group, so each sees every revocation', async () => {
    const first = await startInstance('courses');
    const second = await startInstance('courses');
    const [a, b] = feeds.map((feed) => feed.groupId);
    expect(a).not.toBe(b);
    expect(a).toContain(`courses-revocations-${hostname()}-${process.pid}-`);

    await publishRevocation({
      userId: 'u4',
      tokenId: 'shared-session',
      expiresAt: nowSeconds() + 900,
      reason: 'logout',
    });
    const token = await issuer.sign({ role: 'student', userId: 'u4', jti: 'shared-session' });
    await timeUntilRevoked(first, token);
    await timeUntilRevoked(second, token);
  });

  test('a malformed event is skipped without blocking the revocations behind it', async () => {
    const courses = await startInstance('courses');
    await bus.publish([
      { topic: Topics.SessionRevoked, key: 'x', value: 'not json' },
      {
        topic: Topics.SessionRevoked,
        key: 'x',
        value: JSON.stringify({ specversion: '1.0', data: { userId: 'x' } }),
      },
    ]);
    // Valid envelope and data, but it names neither a token nor a cut-off: nothing to apply.
    await publishRevocation({ userId: 'u5', expiresAt: nowSeconds() + 900, reason: 'deactivation' });
    await publishRevocation({
      userId: 'u5',
      tokenId: 'after-garbage',
      expiresAt: nowSeconds() + 900,
      reason: 'logout',
    });
    await timeUntilRevoked(
      courses,
      await issuer.sign({ role: 'student', userId: 'u5', jti: 'after-garbage' }),
    );
    await expect(courses.verify(await issuer.sign({ role: 'student', userId: 'u5' }))).resolves.toBeDefined();
  });

  test('after close() the instance no longer applies revocations', async () => {
    const courses = await startInstance('courses');
    await feeds.pop()!.close();
    await publishRevocation({
      userId: 'u6',
      tokenId: 'late',
      expiresAt: nowSeconds() + 900,
      reason: 'logout',
    });
    const control = await startInstance('control');
    const token = await issuer.sign({ role: 'student', userId: 'u6', jti: 'late' });
    await timeUntilRevoked(control, token);
    await expect(courses.verify(token)).resolves.toBeDefined();
  });
});
