import type { RequestHandler } from 'express';
import { problems, type FieldError } from '@moocflix/platform-core/errors';
import { sendProblem } from './problem-handler';

/*
 * Strings at the HTTP edge must be text PostgreSQL stores faithfully. Two kinds are not:
 * - a lone UTF-16 surrogate ("\ud800" in JSON, or a reversed pair): a `jsonb` value refuses its
 *   escape (the request failed with a 500), and a `text` value silently becomes U+FFFD;
 * - the NUL character: PostgreSQL's `text` cannot hold it at all.
 * Both are refused here, for every body (values and object keys, at any depth), every query string
 * and every path, before a route runs, so no route can forget the check. `parseWith` checks again
 * what it validates (multipart fields are parsed by the upload routes, not by express.json).
 */

declare global {
  interface String {
    /** ES2024, in Node since 20: false when the string holds a lone surrogate (the repo's lib is older). */
    isWellFormed(): boolean;
  }
}

/** Why a string is not storable, or undefined when it is. */
export function stringDefect(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (!value.isWellFormed()) return 'must be well-formed Unicode (no lone UTF-16 surrogate)';
  return undefined;
}

/** The characters of a defective string written as \uXXXX, so an error path can name a bad key. */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters to find
const DEFECTIVE_CHARACTERS = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
function printable(text: string): string {
  return text.replace(DEFECTIVE_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The first string in `value` (itself, an object key, an array item, at any depth) that is not
 * storable, as a field error at its path under `where` ('body', 'query', 'path'). Iterative, so a
 * deeply nested body cannot exhaust the stack.
 */
export function findDefectiveString(value: unknown, where: string): FieldError | undefined {
  const pending: Array<[unknown, string]> = [[value, where]];
  while (pending.length > 0) {
    const [current, path] = pending.pop()!;
    if (typeof current === 'string') {
      const defect = stringDefect(current);
      if (defect) return { path, message: defect };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    const entries = Array.isArray(current) ? current.entries() : Object.entries(current);
    const children: Array<[unknown, string]> = [];
    for (const [key, child] of entries) {
      const childPath = `${path}.${printable(String(key))}`;
      if (typeof key === 'string') {
        const defect = stringDefect(key);
        if (defect) return { path: childPath, message: `object key ${defect}` };
      }
      children.push([child, childPath]);
    }
    // Reversed onto the stack, so the first defect in document order is the one reported.
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
  }
  return undefined;
}

/** The 400 for a defective string: the field is named in `errors[]` and in the detail. */
export function defectiveStringProblem(where: string, error: FieldError) {
  return problems.badRequest(`Invalid ${where}: ${error.path} ${error.message}`, [error]);
}

/**
 * The path as sent, segment by segment: a segment that is not valid percent-encoding (such as the
 * UTF-8 of a surrogate, %ED%A0%80) or that decodes to NUL is a 400 naming the path.
 */
function pathDefect(path: string): FieldError | undefined {
  for (const segment of path.split('/')) {
    if (!segment.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { path: `path./${printable(segment)}`, message: 'is not valid percent-encoded UTF-8' };
    }
    const defect = stringDefect(decoded);
    if (defect) return { path: `path./${printable(segment)}`, message: defect };
  }
  return undefined;
}

/**
 * Mounted after the JSON body parser: the path, the query string and the parsed JSON body of every
 * request are checked before any route sees them.
 */
export const requireWellFormedInput: RequestHandler = (req, res, next) => {
  // Node's parser refuses a request line with a raw NUL or any byte outside printable ASCII, so
  // without a '%' escape the path and query cannot hold a defective string (see the edge tests):
  // most requests skip the query parse and the walk.
  if (req.body === undefined && !req.url.includes('%')) return next();
  const found =
    pathDefect(req.path) ??
    findDefectiveString(req.query, 'query') ??
    (req.body !== undefined ? findDefectiveString(req.body, 'body') : undefined);
  if (!found) return next();
  const where = found.path.split('.', 1)[0]!;
  sendProblem(res, defectiveStringProblem(where, found), req.originalUrl);
};
