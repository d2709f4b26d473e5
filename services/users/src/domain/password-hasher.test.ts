import { hash } from '@node-rs/argon2';
import {
  ARGON2_PARAMETERS,
  createPasswordHasher,
  hashParametersDiffer,
  type Argon2Parameters,
} from './password-hasher';

// Cheap parameters keep this test fast; the real ones are asserted separately.
const FAST: Argon2Parameters = { ...ARGON2_PARAMETERS, memoryCost: 1024, timeCost: 1 };

describe('ARGON2_PARAMETERS', () => {
  test('are the OWASP argon2id recommendation (m=19 MiB, t=2, p=1)', () => {
    expect(ARGON2_PARAMETERS).toEqual({ algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });
});

describe('createPasswordHasher', () => {
  test('hashes to an argon2id PHC string that verifies the password and nothing else', async () => {
    const hasher = await createPasswordHasher(FAST);
    const stored = await hasher.hash('a long and unusual one');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    await expect(hasher.verify(stored, 'a long and unusual one')).resolves.toBe(true);
    await expect(hasher.verify(stored, 'a long and unusual onE')).resolves.toBe(false);
  });

  test('verifies the NFKC-equivalent spelling of a password', async () => {
    const hasher = await createPasswordHasher(FAST);
    const stored = await hasher.hash('ﬁxed password');
    await expect(hasher.verify(stored, 'fixed password')).resolves.toBe(true);
  });

  test('a malformed stored hash fails verification instead of throwing', async () => {
    const hasher = await createPasswordHasher(FAST);
    await expect(hasher.verify('not-a-hash', 'whatever it is')).resolves.toBe(false);
  });

  test('needsRehash is false for its own hashes and true for other parameters', async () => {
    const hasher = await createPasswordHasher(FAST);
    expect(hasher.needsRehash(await hasher.hash('a long and unusual one'))).toBe(false);
    const older = await hash('a long and unusual one', { ...FAST, timeCost: 3 });
    expect(hasher.needsRehash(older)).toBe(true);
  });
});

describe('hashParametersDiffer', () => {
  const phc = (m: number, t: number, p: number, algorithm = 'argon2id') =>
    `$${algorithm}$v=19$m=${m},t=${t},p=${p}$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;

  test.each([
    ['memory', phc(65_536, 2, 1)],
    ['time', phc(19_456, 3, 1)],
    ['parallelism', phc(19_456, 2, 2)],
    ['algorithm (argon2i)', phc(19_456, 2, 1, 'argon2i')],
    ['an unparsable hash', 'plaintext?'],
  ])('true when %s differs', (_name, stored) => {
    expect(hashParametersDiffer(stored, ARGON2_PARAMETERS)).toBe(true);
  });

  test('false for the same parameters', () => {
    expect(hashParametersDiffer(phc(19_456, 2, 1), ARGON2_PARAMETERS)).toBe(false);
  });
});
