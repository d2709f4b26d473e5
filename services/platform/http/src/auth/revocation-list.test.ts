import { InMemoryRevocationList } from './revocation-list';
import type { AuthContext } from './types';

const T0 = 1_700_000_000;

function setup(options: { graceSeconds?: number; pruneIntervalSeconds?: number } = {}) {
  const clock = { now: T0 };
  const list = new InMemoryRevocationList({ ...options, now: () => clock.now });
  return { clock, list };
}

function token(overrides: Partial<AuthContext> = {}): AuthContext {
  return {
    userId: 'u1',
    role: 'student',
    tokenId: 'jti-1',
    issuedAt: T0 - 100,
    expiresAt: T0 + 800,
    ...overrides,
  };
}

describe('InMemoryRevocationList', () => {
  test('a revoked jti kills that token only', () => {
    const { list } = setup();
    list.revokeToken('jti-1', T0 + 800);
    expect(list.isRevoked(token())).toBe(true);
    expect(list.isRevoked(token({ tokenId: 'jti-2' }))).toBe(false);
  });

  test('a user cut-off kills tokens issued at or before that second, not after, not other users', () => {
    const { list } = setup();
    list.revokeUserTokens('u1', T0, T0 + 900);
    expect(list.isRevoked(token({ issuedAt: T0 - 1 }))).toBe(true);
    expect(list.isRevoked(token({ issuedAt: T0 }))).toBe(true);
    // iat is in whole seconds; a fractional one from the cut-off second is still that second.
    expect(list.isRevoked(token({ issuedAt: T0 + 0.9 }))).toBe(true);
    expect(list.isRevoked(token({ issuedAt: T0 + 1 }))).toBe(false);
    expect(list.isRevoked(token({ userId: 'u2', issuedAt: T0 - 1 }))).toBe(false);
  });

  test('cut-offs of one user merge to the latest, whatever order they arrive in', () => {
    const { list } = setup();
    list.revokeUserTokens('u1', T0, T0 + 900);
    list.revokeUserTokens('u1', T0 - 50, T0 + 850);
    expect(list.isRevoked(token({ issuedAt: T0 }))).toBe(true);
    expect(list.size).toBe(1);
  });

  test('revocations whose tokens have long expired are not stored (replay from the start of the topic)', () => {
    const { list } = setup({ graceSeconds: 60 });
    list.revokeToken('old', T0 - 61);
    list.revokeUserTokens('u1', T0 - 1000, T0 - 61);
    expect(list.size).toBe(0);
    list.revokeToken('recent', T0 - 59);
    expect(list.size).toBe(1);
  });

  test('entries outlive expiresAt by the grace period, so a token inside the clock tolerance stays dead', () => {
    const { clock, list } = setup({ graceSeconds: 60, pruneIntervalSeconds: 1 });
    list.revokeToken('jti-1', T0 + 10);
    list.revokeUserTokens('u1', T0, T0 + 10);
    clock.now = T0 + 15;
    expect(list.isRevoked(token())).toBe(true);
    expect(list.isRevoked(token({ tokenId: 'other', issuedAt: T0 }))).toBe(true);
    expect(list.size).toBe(2);
  });

  test('entries are swept once expired plus grace, keeping memory bounded', () => {
    const { clock, list } = setup({ graceSeconds: 60, pruneIntervalSeconds: 30 });
    for (let i = 0; i < 1000; i++) list.revokeToken(`jti-${i}`, T0 + i);
    list.revokeUserTokens('u1', T0, T0 + 499);
    list.revokeToken('long-lived', T0 + 5000);
    expect(list.size).toBe(1002);

    clock.now = T0 + 560;
    list.isRevoked(token({ tokenId: 'probe' }));
    // Gone: everything with expiresAt + 60 s grace < now, i.e. jti-0..jti-499 and the cut-off.
    expect(list.size).toBe(1000 - 500 + 1);
    expect(list.isRevoked(token({ tokenId: 'jti-700' }))).toBe(true);

    clock.now = T0 + 6000;
    list.revokeToken('fresh', T0 + 6900);
    expect(list.size).toBe(1);
  });

  test('sweeps run at most once per interval', () => {
    const { clock, list } = setup({ graceSeconds: 0, pruneIntervalSeconds: 30 });
    list.revokeToken('a', T0 + 5);
    clock.now = T0 + 10;
    list.isRevoked(token());
    expect(list.size).toBe(1);
    clock.now = T0 + 31;
    list.isRevoked(token());
    expect(list.size).toBe(0);
  });
});
