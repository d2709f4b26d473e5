import { HttpProblem } from '@moocflix/platform-core/errors';
import { assertAcceptableNewPassword, checkNewPassword } from './password-policy';

describe('checkNewPassword (OWASP ASVS: length, no composition rules, no common passwords)', () => {
  test.each([
    ['7 characters', 'kq8#vZp', 'too-short'],
    ['129 characters', 'x'.repeat(129), 'too-long'],
    ['a top common password', 'password', 'too-common'],
    ['a common password in another case', 'PassWord', 'too-common'],
    ['a common 8+ character password', 'iloveyou', 'too-common'],
    ['a common digits-only password', '12345678', 'too-common'],
  ])('refuses %s', (_name, password, problem) => {
    expect(checkNewPassword(password)).toBe(problem);
  });

  test.each([
    ['exactly 8 characters', 'kq8#vZp2'],
    ['exactly 128 characters', 'a'.repeat(64) + 'b'.repeat(64)],
    ['only lower-case letters (no composition rules)', 'correcthorsebatterystaple'],
    ['spaces and unicode', 'mañana à la plage 🏖'],
  ])('accepts %s', (_name, password) => {
    expect(checkNewPassword(password)).toBeNull();
  });

  test('counts code points, not UTF-16 units: 8 emoji are 8 characters', () => {
    expect(checkNewPassword('🐙🦑🦀🦞🐡🐠🐟🐬')).toBeNull();
    expect(checkNewPassword('🐙🦑🦀🦞🐡🐠🐟')).toBe('too-short');
  });

  test('counts after NFKC normalisation', () => {
    // U+FB01 (ﬁ ligature) becomes "fi": 7 code points typed, 8 after normalisation.
    expect(checkNewPassword('ﬁxed-up')).toBeNull();
  });
});

describe('assertAcceptableNewPassword', () => {
  test('throws a 400 problem naming the field', () => {
    let error: unknown;
    try {
      assertAcceptableNewPassword('short', 'password');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HttpProblem);
    expect((error as HttpProblem).toBody()).toMatchObject({
      status: 400,
      errors: [{ path: 'body.password', message: 'must be at least 8 characters' }],
    });
  });

  test('passes an acceptable password', () => {
    expect(() => assertAcceptableNewPassword('a long and unusual one', 'password')).not.toThrow();
  });
});
