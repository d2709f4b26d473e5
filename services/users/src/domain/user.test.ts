import { normalizeEmail, toUserView, type User } from './user';

describe('normalizeEmail', () => {
  test('trims and lower-cases', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.ORG ')).toBe('ada.lovelace@example.org');
  });
});

describe('toUserView', () => {
  test('is the public shape: no hash, no revocation bookkeeping', () => {
    const user: User = {
      id: 'u1',
      email: 'ada@example.org',
      name: 'Ada',
      role: 'instructor',
      status: 'active',
      passwordHash: '$argon2id$secret',
      tokensRevokedThrough: 123,
      createdAt: new Date('2025-01-01T00:00:00Z'),
      updatedAt: new Date('2025-01-02T00:00:00Z'),
    };
    expect(toUserView(user)).toEqual({
      id: 'u1',
      email: 'ada@example.org',
      name: 'Ada',
      role: 'instructor',
      status: 'active',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-02T00:00:00.000Z',
    });
  });
});
