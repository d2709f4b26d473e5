import type { Request } from 'express';
import type { z } from 'zod';
import { problems, type FieldError } from '../errors';

/**
 * Request parsing: every body, query and path parameter goes through a zod schema. Object schemas
 * should be strict (`z.strictObject`) so unknown fields are refused rather than silently dropped.
 */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  return parseWith(schema, req.body ?? {}, 'body');
}

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  return parseWith(schema, { ...(req.query as object) }, 'query');
}

export function parseParams<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  return parseWith(schema, req.params, 'path');
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) {
    const nulAt = findNulCharacter(result.data, [where]);
    if (nulAt) {
      // PostgreSQL cannot store U+0000 in text: refuse it here rather than fail with a 500 later.
      const errors = [{ path: nulAt, message: 'must not contain the NUL character (U+0000)' }];
      throw problems.badRequest(`Invalid ${where}: ${nulAt} must not contain the NUL character`, errors);
    }
    return result.data;
  }
  const errors: FieldError[] = result.error.issues.flatMap((issue) => {
    const path = [where, ...issue.path.map(String)];
    // One entry per unknown field, at the field's own path, so clients can point at it.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: path.join('.'), message: issue.message }];
  });
  throw problems.badRequest(
    `Invalid ${where}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors,
  );
}

function findNulCharacter(value: unknown, path: string[], depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : undefined;
  if (depth > 20 || value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findNulCharacter(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}
