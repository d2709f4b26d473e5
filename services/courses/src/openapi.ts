import { z } from 'zod';
import {
  courseEnrollmentsQuery,
  createCourseBody,
  createModuleBody,
  listCoursesQuery,
  pageQuery,
  updateCourseBody,
  updateModuleBody,
} from './http/request-schemas';

/**
 * The OpenAPI 3.1 document served at /api/v1/courses/openapi.json. Request schemas are generated
 * from the very zod schemas that validate requests, so the document cannot drift from the code.
 */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: z.ZodType): object[] {
  const { properties = {}, required = [] } = jsonSchema(schema) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: required.includes(name), schema: property }));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const page = (item: string) => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: ref(item) }, nextCursor: { type: ['string', 'null'] } },
});

const courseId = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const moduleId = { name: 'moduleId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const etag = { ETag: { description: 'The course version, e.g. "3"; send it back in If-Match', schema: { type: 'string' } } };

const common = {
  '400': problem('Malformed path, query or body (unknown fields included)'),
  '401': problem('Missing, invalid, expired or revoked bearer token'),
};
const notFound = { '404': problem('No such course (or module), or a draft of someone else') };
const forbidden = { '403': problem('Not allowed for this caller (not the owner, or wrong role)') };
const dateTime = { type: 'string', format: 'date-time' };
const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });

export const coursesOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'MoocFlix Course Management',
    version: '1.0.0',
    description:
      'Courses, modules and enrollments. Every route needs a bearer token. Drafts (unpublished courses) are visible only to ' +
      'their owner and admins; to everyone else they do not exist (404). PUT /{id} honours If-Match (412 on a stale version); ' +
      'without If-Match the last write wins. Events: Course-Creation, Course-Update, Course-Deletion, Student-Enrolled ' +
      '(also with status "inactive" when a deactivated student loses their enrollments).',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/courses': {
      post: {
        summary: 'Create a course (instructor or admin); the caller owns it',
        requestBody: { required: true, ...json(jsonSchema(createCourseBody)) },
        responses: { '201': { description: 'Created', headers: etag, ...json(ref('Course')) }, ...common, '403': problem('Students cannot create courses') },
      },
      get: {
        summary: 'The catalogue: published courses plus the caller’s drafts, keyset-paginated',
        parameters: queryParameters(listCoursesQuery),
        responses: { '200': { description: 'A page', ...json(page('Course')) }, ...common },
      },
    },
    '/api/v1/courses/enrolled': {
      get: {
        summary: 'The caller’s own enrollments, newest first',
        parameters: queryParameters(pageQuery),
        responses: { '200': { description: 'A page', ...json(page('StudentEnrollment')) }, ...common },
      },
    },
    '/api/v1/courses/{id}': {
      parameters: [courseId],
      get: {
        summary: 'One course',
        responses: { '200': { description: 'The course', headers: etag, ...json(ref('Course')) }, ...common, ...notFound },
      },
      put: {
        summary: 'Update a course (owner or admin); absent fields are kept, null clears',
        parameters: [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'ETag from a GET; optional' }],
        requestBody: { required: true, ...json(jsonSchema(updateCourseBody)) },
        responses: {
          '200': { description: 'Updated', headers: etag, ...json(ref('Course')) },
          ...common,
          ...forbidden,
          ...notFound,
          '409': problem('Capacity below the seats already taken (reason capacity-below-enrollments)'),
          '412': problem('If-Match does not name the current version'),
          '422': problem('The enrollment window would end before it starts'),
        },
      },
      delete: {
        summary: 'Delete a course (owner or admin); its modules go with it',
        responses: { '204': { description: 'Deleted' }, ...common, ...forbidden, ...notFound },
      },
    },
    '/api/v1/courses/{id}/modules': {
      parameters: [courseId],
      get: {
        summary: 'The course’s modules by position',
        parameters: queryParameters(pageQuery),
        responses: { '200': { description: 'A page', ...json(page('Module')) }, ...common, ...notFound },
      },
      post: {
        summary: 'Add a module (owner); at `position` (default last), later ones move down',
        requestBody: { required: true, ...json(jsonSchema(createModuleBody)) },
        responses: {
          '201': { description: 'Created', ...json(ref('Module')) },
          ...common,
          ...forbidden,
          ...notFound,
          '409': problem('The course already has the maximum number of modules'),
        },
      },
    },
    '/api/v1/courses/{id}/modules/{moduleId}': {
      parameters: [courseId, moduleId],
      put: {
        summary: 'Edit or move a module (owner)',
        requestBody: { required: true, ...json(jsonSchema(updateModuleBody)) },
        responses: { '200': { description: 'Updated', ...json(ref('Module')) }, ...common, ...forbidden, ...notFound },
      },
      delete: {
        summary: 'Delete a module (owner); later ones move up',
        responses: { '204': { description: 'Deleted' }, ...common, ...forbidden, ...notFound },
      },
    },
    '/api/v1/courses/{id}/enroll': {
      parameters: [courseId],
      post: {
        summary: 'Enroll the caller (a student); repeating it changes nothing',
        responses: {
          '201': { description: 'Enrolled now', ...json(ref('Enrollment')) },
          '200': { description: 'Already enrolled', ...json(ref('Enrollment')) },
          ...common,
          '403': problem('Only students enroll'),
          ...notFound,
          '409': problem('Refused; `reason` is enrollment-not-open, enrollment-closed, course-full or student-deactivated'),
        },
      },
    },
    '/api/v1/courses/{id}/enrollments': {
      parameters: [courseId],
      get: {
        summary: 'The course’s enrollments, oldest first (owner or admin)',
        parameters: queryParameters(courseEnrollmentsQuery),
        responses: { '200': { description: 'A page', ...json(page('Enrollment')) }, ...common, ...forbidden, ...notFound },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Course: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          title: { type: 'string' },
          description: { type: 'string' },
          instructorId: { type: 'string' },
          published: { type: 'boolean' },
          category: nullable('string'),
          capacity: nullable('integer', { description: 'null = unlimited' }),
          level: { enum: ['beginner', 'intermediate', 'advanced', null] },
          language: nullable('string'),
          enrollmentOpensAt: nullable('string', { format: 'date-time' }),
          enrollmentClosesAt: nullable('string', { format: 'date-time' }),
          version: { type: 'integer' },
          createdAt: dateTime,
          updatedAt: dateTime,
        },
      },
      Module: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          courseId: { type: 'string', format: 'uuid' },
          title: { type: 'string' },
          description: { type: 'string' },
          position: { type: 'integer', minimum: 1 },
          videoId: nullable('string'),
        },
      },
      Enrollment: {
        type: 'object',
        properties: {
          courseId: { type: 'string', format: 'uuid' },
          studentId: { type: 'string' },
          status: { enum: ['active', 'inactive'] },
          enrolledAt: dateTime,
        },
      },
      StudentEnrollment: {
        allOf: [
          ref('Enrollment'),
          {
            type: 'object',
            properties: {
              course: {
                type: 'object',
                properties: { id: { type: 'string', format: 'uuid' }, title: { type: 'string' }, instructorId: { type: 'string' } },
              },
            },
          },
        ],
      },
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          reason: { type: 'string' },
          errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  },
};
