import { z } from 'zod';
import { jsonSchema, page, problem, problemSchema, queryParameters, uuidPathParam } from './openapi';
import { HttpProblem, problems } from '@moocflix/platform-core/errors';

const query = z.strictObject({
  courseId: z.uuid(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().optional(),
});

describe('OpenAPI helpers', () => {
  it('turns a zod object into query parameters, required only where the input needs a value', () => {
    expect(queryParameters(query)).toEqual([
      { name: 'courseId', in: 'query', required: true, schema: expect.objectContaining({ format: 'uuid' }) },
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: 100, default: 20 }),
      },
      { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
    ]);
  });

  it('describes the input of a zod schema without the $schema dialect line', () => {
    const schema = jsonSchema(query);
    expect(schema).not.toHaveProperty('$schema');
    expect(schema).toMatchObject({ type: 'object', required: ['courseId'], additionalProperties: false });
  });

  it('throws on a type JSON Schema cannot express, unless asked for {}', () => {
    const withDate = z.object({ at: z.date() });
    expect(() => jsonSchema(withDate)).toThrow();
    expect(jsonSchema(withDate, { unrepresentable: 'any' })).toMatchObject({ properties: { at: {} } });
  });

  it('answers errors with problem+json pointing at the Problem schema', () => {
    expect(problem('No such course')).toEqual({
      description: 'No such course',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
  });

  it('builds a keyset page schema, with extra members required too', () => {
    expect(page('Course')).toEqual({
      type: 'object',
      required: ['items', 'nextCursor'],
      properties: {
        items: { type: 'array', items: { $ref: '#/components/schemas/Course' } },
        nextCursor: { type: ['string', 'null'] },
      },
    });
    expect(page('Notification', { unreadCount: { type: 'integer' } })).toMatchObject({
      required: ['items', 'nextCursor', 'unreadCount'],
      properties: { unreadCount: { type: 'integer' } },
    });
  });

  it('describes a uuid path parameter', () => {
    expect(uuidPathParam('id')).toEqual({
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    });
  });

  describe('the Problem schema', () => {
    const schema = problemSchema();
    type Property = { type: string; format?: string; items?: { required: string[] } };
    const properties = schema.properties as Record<string, Property>;

    /** A small JSON Schema check of exactly what this schema uses: required, member types, uri format. */
    function violations(body: Record<string, unknown>): string[] {
      const found = schema.required.filter((name) => !(name in body)).map((name) => `missing ${name}`);
      for (const [name, value] of Object.entries(body)) {
        const property = properties[name];
        if (!property) {
          found.push(`undocumented member ${name}`);
          continue;
        }
        const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
        if (actual !== property.type) found.push(`${name} is ${actual}, documented ${property.type}`);
        if (property.format === 'uri' && !URL.canParse(String(value))) found.push(`${name} is not a URI`);
        for (const item of property.items && Array.isArray(value) ? (value as Record<string, unknown>[]) : [])
          for (const member of property.items?.required ?? [])
            if (typeof item[member] !== 'string') found.push(`${name}[].${member} missing`);
      }
      return found;
    }

    // Every factory the services answer with, and the extensions they carry: the document must
    // describe each body as sent, or generated clients reject real errors.
    const bodies: Array<[string, HttpProblem]> = [
      ['400 with field errors', problems.badRequest('bad', [{ path: 'limit', message: 'too big' }])],
      ['401', problems.unauthorized()],
      ['403', problems.forbidden()],
      ['404', problems.notFound('Course')],
      ['405 with Allow', problems.methodNotAllowed('DELETE', ['GET', 'HEAD'])],
      ['409 with a reason', problems.conflict('full', 'capacity-reached')],
      ['412', problems.preconditionFailed('stale')],
      ['413', problems.payloadTooLarge()],
      ['415', problems.unsupportedMediaType('no')],
      ['422 with a reason', problems.unprocessable('late', 'past-due')],
      ['429', problems.tooManyRequests(3)],
      ['503', problems.unavailable('down')],
    ];
    it.each(bodies)('describes the %s body as sent', (_name, problem) => {
      expect(violations(problem.toBody('/api/v1/courses/x'))).toEqual([]);
    });

    it('finds what a body does differently (the check itself can fail)', () => {
      expect(violations({ type: 'not a uri', title: 'T', status: 400.5, extra: 1, errors: [{}] })).toEqual([
        'type is not a URI',
        'status is number, documented integer',
        'undocumented member extra',
        'errors[].path missing',
        'errors[].message missing',
      ]);
      expect(violations({ title: 'T', status: 400 })).toEqual(['missing type']);
    });
  });
});
