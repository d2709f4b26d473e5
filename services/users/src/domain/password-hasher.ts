import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { normalizePassword } from './password-policy';

/**
 * The one place the argon2id parameters live: OWASP Password Storage Cheat Sheet's first option,
 * m=19 MiB, t=2, p=1. Raising them later is safe: stored hashes keep working and are upgraded on
 * the user's next successful login (see needsRehash).
 */
export const ARGON2_PARAMETERS: Argon2Parameters = {
  // Argon2id; the package's `Algorithm` is a const enum, which isolated-module builds cannot inline.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export interface Argon2Parameters {
  algorithm: Algorithm;
  /** KiB */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** True when `passwordHash` was made with other parameters than today's. */
  needsRehash(passwordHash: string): boolean;
  /**
   * Burns the time of one verification without a real account, so "unknown email" costs what
   * "wrong password" costs and timing does not reveal which emails have accounts.
   */
  verifyAgainstDummy(password: string): Promise<void>;
}

export async function createPasswordHasher(
  parameters: Argon2Parameters = ARGON2_PARAMETERS,
): Promise<PasswordHasher> {
  const hashPassword = (password: string) => hash(normalizePassword(password), parameters);
  // Made with the current parameters at start, so its cost is exactly that of a real hash.
  const dummyHash = await hashPassword(randomBytes(24).toString('base64url'));
  const verifyPassword = async (passwordHash: string, password: string) => {
    try {
      return await verify(passwordHash, normalizePassword(password));
    } catch {
      // A malformed stored hash is a failed verification, never a crash of the login route.
      return false;
    }
  };
  return {
    hash: hashPassword,
    verify: verifyPassword,
    needsRehash: (passwordHash) => hashParametersDiffer(passwordHash, parameters),
    async verifyAgainstDummy(password) {
      await verifyPassword(dummyHash, password);
    },
  };
}

/** Pure comparison of a PHC string's parameters with the wanted ones; unparsable counts as different. */
export function hashParametersDiffer(passwordHash: string, parameters: Argon2Parameters): boolean {
  try {
    const used = parseOptions(passwordHash);
    return (
      used.algorithm !== parameters.algorithm ||
      used.memoryCost !== parameters.memoryCost ||
      used.timeCost !== parameters.timeCost ||
      used.parallelism !== parameters.parallelism
    );
  } catch {
    return true;
  }
}
