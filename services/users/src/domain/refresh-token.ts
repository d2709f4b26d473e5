import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters. */
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A new opaque refresh token (what the cookie carries) and the hash that is stored instead of it. */
export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: refreshTokenHash(token) };
}

/**
 * SHA-256 of the token. A slow hash would add nothing: the token has 256 random bits, so a stolen
 * table cannot be reversed by guessing, unlike a password's hash.
 */
export function refreshTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Whether a presented value can be one of ours at all (anything else is refused without a lookup). */
export const isWellFormedRefreshToken = (value: string): boolean => REFRESH_TOKEN.test(value);
