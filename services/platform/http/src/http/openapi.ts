import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from './problem-handler';

/*
 * Building blocks for the services' OpenAPI 3.1 documents (each service's src/openapi.ts). One copy
 * here, so every document describes what the kit does for all services — problem+json errors,
 * `{items, nextCursor}` pages, bearer-token failures — in the same words and the same shape.
 */

/**
 * Options for `z.toJSONSchema`. `unrepresentable: 'any'` writes `{}` for a type JSON Schema cannot
 * express instead of throwing (zod's default, which fails the document at import time).
 */
export interface JsonSchemaOptions {
  unrepresentable?: 'throw' | 'any';
}

/**
 * The JSON Schema of what a zod schema ACCEPTS (io 'input': fields with a default are optional,
 * before transforms), so a request schema in the document is the one that validates the request and
 * cannot drift from it. The `$schema` line is dropped: the schema goes inline into a document whose
 * dialect already applies.
 */
export function jsonSchema(schema: z.ZodType, options: JsonSchemaOptions = {}): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { ...options, io: 'input' }) as Record<string, unknown>;
  const { $schema: _dialect, ...rest } = generated;
  return rest;
}

export interface QueryParameter {
  name: string;
  in: 'query';
  required: boolean;
  schema: object;
}

/** One query parameter per property of the zod object schema `parseQuery` validates with. */
export function queryParameters(schema: z.ZodType, options: JsonSchemaOptions = {}): QueryParameter[] {
  const { properties = {}, required = [] } = jsonSchema(schema, options) as {
    properties?: Record<string, object>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    schema: property,
  }));
}

/** A path parameter holding a UUID (every resource id in MoocFlix is one). */
export const uuidPathParam = (name: string) => ({
  name,
  in: 'path' as const,
  required: true,
  schema: { type: 'string', format: 'uuid' },
});

/** A reference to a schema under components.schemas. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** application/json content with this schema; spread it into a request body or a response. */
export const json = (schema: object) => ({ content: { 'application/json': { schema } } });

/** An error response: the kit answers every 4xx/5xx with problem+json (components.schemas.Problem). */
export const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } },
});

/**
 * What the kit itself can answer on ANY route, before or around the route's own code: 400 (bad JSON,
 * ill-formed strings, invalid percent-encoding, validation), 405 (a known path with another method,
 * with Allow), 408 (the request came too slowly: the HTTP server's timeouts), 413 (body over the
 * limit), 415 (a body neither JSON nor multipart, or a charset other than UTF-8), 431 (headers too
 * large, answered by the HTTP server). Every operation lists these; a service's test checks its
 * document does.
 */
export const kitProblems = {
  '400': problem('Malformed path, query or body (unknown fields, ill-formed Unicode or NUL included)'),
  '405': problem('The path exists but not with this method; Allow lists the methods it serves'),
  '408': problem('The request (headers or body) came too slowly; the connection is closed'),
  '413': problem('Request body too large'),
  '415': problem('Unsupported Content-Type or charset; send application/json (UTF-8)'),
  '431': problem('Request headers too large'),
};

/** What every route behind `requireAuth` can answer besides its own: the kit's, and 401. */
export const commonProblems = {
  ...kitProblems,
  '401': problem('Missing, invalid, expired or revoked bearer token'),
};

/** A route that counts attempts and refuses past a limit; the answer carries Retry-After. */
export const rateLimited = (description = 'Too many attempts; retry after the Retry-After seconds') => ({
  '429': {
    ...problem(description),
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  },
});

export const dateTime = { type: 'string', format: 'date-time' };

/** A JSON Schema type that also admits null (OpenAPI 3.1 has no `nullable`). */
export const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });

/**
 * A keyset page as every list answers it (`Page<T>`): `{items, nextCursor}`, nextCursor null on the
 * last page. `extra` adds members that every page of this list carries (required too).
 */
export function page(item: string, extra: Record<string, object> = {}) {
  return {
    type: 'object',
    required: ['items', 'nextCursor', ...Object.keys(extra)],
    properties: { items: { type: 'array', items: ref(item) }, nextCursor: nullable('string'), ...extra },
  };
}

/**
 * components.schemas.Problem: the body of every error, exactly as the kit sends it
 * (`HttpProblem.toBody`): RFC 9457 members, `reason` on the 409/422 answers that name the refusing
 * rule, `errors` on validation failures. One schema for every service, so a client's error handling
 * is written once.
 */
export function problemSchema() {
  return {
    type: 'object',
    description: 'RFC 9457 problem details',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string', description: 'The request path' },
      reason: {
        type: 'string',
        description: 'Which rule refused the request (409 and 422 answers); stable, for programs',
      },
      errors: {
        type: 'array',
        description: 'One entry per invalid field (400 answers)',
        items: {
          type: 'object',
          required: ['path', 'message'],
          properties: { path: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  };
}
