import { problems } from '@moocflix/platform-core/errors';

/** A course's ETag is its version, quoted (a strong validator: the version changes on every update). */
export const etagOf = (version: number): string => `"${version}"`;

const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e]*)"$/;

/**
 * The versions an If-Match header accepts (RFC 9110 §13.1.1): undefined when the header is absent
 * or `*` (any current version; the course existing is checked anyway). Weak tags never match under
 * If-Match's strong comparison, nor do tags we never issued, so they are simply left out — an
 * empty list then makes the update fail with 412. Garbage that is not an entity tag is a 400.
 */
export function versionsFromIfMatch(header: string | undefined): number[] | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const versions: number[] = [];
  for (const tag of header.split(',').map((t) => t.trim())) {
    const match = ENTITY_TAG.exec(tag);
    if (!match) {
      throw problems.badRequest('If-Match must be "*" or a list of entity tags such as "3"', [
        { path: 'header.if-match', message: 'not an entity tag' },
      ]);
    }
    if (!match[1] && /^[1-9]\d{0,8}$/.test(match[2]!)) versions.push(Number(match[2]));
  }
  return versions;
}
