import {
  commonProblems,
  dateTime,
  json,
  nullable,
  page,
  problem,
  problemSchema,
  queryParameters,
  ref,
  uuidPathParam,
} from '@moocflix/platform-http';
import { NotificationTypes } from './domain/notification';
import { inboxQuery } from './http/request-schemas';

/** The OpenAPI 3.1 document served at /api/v1/notifications/openapi.json; queries come from the zod schemas. */
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
            ...json(page('Notification', { unreadCount: { type: 'integer' } })),
          },
          ...commonProblems,
        },
      },
    },
    '/api/v1/notifications/{id}/read': {
      parameters: [uuidPathParam('id')],
      post: {
        summary: 'Mark one of the caller’s notifications read (repeating it is harmless)',
        responses: {
          '200': { description: 'The notification', ...json(ref('Notification')) },
          ...commonProblems,
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
          ...commonProblems,
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
          readAt: nullable('string', { format: 'date-time' }),
          createdAt: dateTime,
          data: {
            type: 'object',
            description: 'Ids to link to: courseId, assessmentId, submissionId, videoId...',
          },
        },
      },
      Problem: problemSchema(),
    },
  },
};
