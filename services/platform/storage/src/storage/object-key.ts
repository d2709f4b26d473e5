import { InvalidObjectKeyError } from './types';

/** S3's own limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

// NUL ends a path in the OS, a backslash is a separator on Windows, and other control characters
// are unsafe in S3's XML listings and in logs.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/**
 * The key grammar BOTH adapters enforce, so a key that works in a cluster also works in
 * `make dev` and vice versa: '/'-separated non-empty segments, none of them '.' or '..', no
 * leading or trailing '/'. On local disk this is what keeps keys inside the storage folder;
 * on S3 it keeps keys that would mean a different object on disk (`a/../b`, `a//b`) out.
 */
export function assertValidKey(key: string): void {
  assertSafeCharacters(key);
  if (key === '') throw new InvalidObjectKeyError(key, 'empty');
  assertSegments(key, key.split('/'));
}

/**
 * A prefix is a plain string prefix (as in S3), so its last segment may be partial ('videos/ab'
 * matches 'videos/abc/1.ts'); only the complete segments before the last '/' name folders.
 */
export function assertValidPrefix(prefix: string): void {
  assertSafeCharacters(prefix);
  const segments = prefix.split('/');
  segments.pop();
  assertSegments(prefix, segments);
}

function assertSafeCharacters(value: string): void {
  if (typeof value !== 'string') throw new InvalidObjectKeyError(String(value), 'not a string');
  if (FORBIDDEN_CHARACTERS.test(value)) {
    throw new InvalidObjectKeyError(value, 'contains a control character or a backslash');
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) {
    throw new InvalidObjectKeyError(value, `longer than ${MAX_KEY_BYTES} bytes`);
  }
}

function assertSegments(value: string, segments: string[]): void {
  for (const segment of segments) {
    if (segment === '')
      throw new InvalidObjectKeyError(value, "empty segment (leading, trailing or doubled '/')");
    if (segment === '.' || segment === '..') throw new InvalidObjectKeyError(value, `'${segment}' segment`);
  }
}
