import { dictionary } from '@zxcvbn-ts/language-common';
import { problems } from '@moocflix/platform-core/errors';

/**
 * OWASP ASVS password rules (V2.1 / NIST SP 800-63B): at least 8 and at most 128 characters,
 * counted in Unicode code points; no composition rules (no "one digit, one symbol"); every
 * printable character allowed, spaces included; the most common passwords refused.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * The ~49,000 most common passwords from leaked-password corpora, in rank order, as maintained by
 * the zxcvbn-ts project (`@zxcvbn-ts/language-common`, dictionary `passwords-common`). Compared
 * case-insensitively: `Password1` is as guessable as `password1`.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  dictionary['passwords-common'].map((p) => p.toLowerCase()),
);

export type PasswordProblem = 'too-short' | 'too-long' | 'too-common';

/**
 * Both hashing and verification see the password in NFKC form (NIST SP 800-63B §5.1.1.2), so the
 * same password typed on two keyboards producing different Unicode sequences still matches.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** The rule a new password breaks, or null when it is acceptable. */
export function checkNewPassword(password: string): PasswordProblem | null {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too-short';
  if (length > PASSWORD_MAX_LENGTH) return 'too-long';
  if (COMMON_PASSWORDS.has(normalized.toLowerCase())) return 'too-common';
  return null;
}

export const passwordProblemMessages: Record<PasswordProblem, string> = {
  'too-short': `must be at least ${PASSWORD_MIN_LENGTH} characters`,
  'too-long': `must be at most ${PASSWORD_MAX_LENGTH} characters`,
  'too-common': 'is one of the most common passwords; choose another',
};

/** 400 problem+json naming `field` when `password` may not become a password. */
export function assertAcceptableNewPassword(password: string, field: string): void {
  const problem = checkNewPassword(password);
  if (problem === null) return;
  const message = passwordProblemMessages[problem];
  throw problems.badRequest(`${field} ${message}`, [{ path: `body.${field}`, message }]);
}
