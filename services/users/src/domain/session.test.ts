import { nextRevocationCutOff, userWideRevocation } from './session';
import type { User } from './user';

const user = (tokensRevokedThrough: number | null): User => ({
  id: 'u1',
  email: 'ada@example.org',
  name: 'Ada',
  role: 'student',
  status: 'active',
  passwordHash: '$argon2id$...',
  tokensRevokedThrough,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe('nextRevocationCutOff', () => {
  test('the current second when the user never had a cut-off, or an older one', () => {
    expect(nextRevocationCutOff(1_000, null)).toBe(1_000);
    expect(nextRevocationCutOff(1_000, 900)).toBe(1_000);
  });

  test('reaches past tokens dated after an earlier cut-off in the same second', () => {
    // Cut-off 1000 → a login in second 1000 gets iat 1001 → a second change in second 1000 must kill it.
    expect(nextRevocationCutOff(1_000, 1_000)).toBe(1_001);
    expect(nextRevocationCutOff(1_000, 1_001)).toBe(1_002);
  });
});

describe('userWideRevocation', () => {
  test('covers every token issued up to the cut-off until they have all expired', () => {
    expect(
      userWideRevocation(user(null), 'password-change', { nowSeconds: 5_000, tokenTtlSeconds: 900 }),
    ).toEqual({
      userId: 'u1',
      issuedAtOrBefore: 5_000,
      expiresAt: 5_900,
      reason: 'password-change',
    });
  });

  test('builds on the previous cut-off', () => {
    expect(
      userWideRevocation(user(5_000), 'deactivation', { nowSeconds: 5_000, tokenTtlSeconds: 60 }),
    ).toMatchObject({
      issuedAtOrBefore: 5_001,
      expiresAt: 5_061,
    });
  });
});
