import { z } from 'zod';
import { NotificationTypes } from './domain/notification';
import { inboxQuery } from './http/request-schemas';

/** The OpenAPI 3.1 document served at /api/v1/notifications/openapi.json; queries come from the zod schemas. */
function queryParameters(schema: z.ZodType): object[] {
  const { properties = {}, required = [] } = z.toJSONSchema(schema, { io: 'input' }) as {
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

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const common = {
  '400': problem('Malformed path, query or body (unknown fields included)'),
  '401': problem('Missing, invalid, expired or revoked bearer token'),
};

export const notificationsOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'MoocFlix Notifications',
    version: '1.0.0',
    description:
      'The caller’s own inbox. Notifications come from events (consumer group "notifications"): Student-Enrolled (the ' +
      'student, and the course owner), Assessment-Creation (every student actively enrolled in the course), ' +
      'Submission-Completed (the instructor), Grading-Completed (the student), Transcoding-Completed (the uploader, known ' +
      'from Transcoding-Request). Course-Creation/Update/Deletion give course titles. The same event never notifies the ' +
      'same person twice.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/notifications': {
      get: {
        summary: 'The caller’s notifications, newest first; unread=true for the unread ones only',
        parameters: queryParameters(inboxQuery),
        responses: {
          '200': {
            description: 'A page, and the number of unread notifications',
            ...json({
              type: 'object',
              required: ['items', 'nextCursor', 'unreadCount'],
              properties: {
                items: { type: 'array', items: ref('Notification') },
                nextCursor: { type: ['string', 'null'] },
                unreadCount: { type: 'integer' },
              },
            }),
          },
          ...common,
        },
      },
    },
    '/api/v1/notifications/{id}/read': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      post: {
        summary: 'Mark one of the caller’s notifications read (repeating it is harmless)',
        responses: {
          '200': { description: 'The notification', ...json(ref('Notification')) },
          ...common,
          '404': problem('No such notification among the caller’s'),
        },
      },
    },
    '/api/v1/notifications/read-all': {
      post: {
        summary: 'Mark every notification of the caller read',
        responses: {
          '200': {
            description: 'How many changed',
            ...json({ type: 'object', properties: { updated: { type: 'integer' } } }),
          },
          ...common,
        },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Notification: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          type: { enum: Object.values(NotificationTypes) },
          title: { type: 'string' },
          body: { type: 'string' },
          read: { type: 'boolean' },
          readAt: { type: ['string', 'null'], format: 'date-time' },
          createdAt: { type: 'string', format: 'date-time' },
          data: {
            type: 'object',
            description: 'Ids to link to: courseId, assessmentId, submissionId, videoId...',
          },
        },
      },
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          errors: {
            type: 'array',
            items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
    },
  },
};
