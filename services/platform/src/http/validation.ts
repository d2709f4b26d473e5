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
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw problems.badRequest(
    `Invalid ${where}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors,
  );
}
