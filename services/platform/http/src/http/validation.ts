import type { Request } from 'express';
import type { z } from 'zod';
import { problems, type FieldError } from '@moocflix/platform-core/errors';
import { defectiveStringProblem, findDefectiveString } from './well-formed-input';

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
    // Zod accepts any string; PostgreSQL cannot store a lone surrogate or a NUL faithfully. The
    // app checks every JSON body and query before routes run; this also covers what reaches a
    // schema another way (multipart fields, values a route builds).
    const defective = findDefectiveString(result.data, where);
    if (defective) throw defectiveStringProblem(where, defective);
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
