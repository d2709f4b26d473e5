import { z } from 'zod';
import { jsonSchema, page, problem, problemSchema, queryParameters, uuidPathParam } from './openapi';

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

  it('documents the Problem body in as much detail as asked', () => {
    const plain = problemSchema();
    expect(plain).toMatchObject({ type: 'object', description: 'RFC 9457 problem details' });
    expect(plain).not.toHaveProperty('required');
    expect(Object.keys(plain.properties)).toEqual(['type', 'title', 'status', 'detail', 'errors']);

    const full = problemSchema({ strict: true, reason: true, description: false });
    expect(full).not.toHaveProperty('description');
    expect(full).toMatchObject({
      required: ['type', 'title', 'status'],
      properties: { type: { type: 'string', format: 'uri' } },
    });
    expect(Object.keys(full.properties)).toEqual([
      'type',
      'title',
      'status',
      'detail',
      'instance',
      'reason',
      'errors',
    ]);
  });
});
