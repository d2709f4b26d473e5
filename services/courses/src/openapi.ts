import {
  commonProblems,
  dateTime,
  json,
  jsonSchema,
  nullable,
  page,
  problem,
  problemSchema,
  queryParameters,
  ref,
  uuidPathParam,
} from '@moocflix/platform-http';
import {
  courseEnrollmentsQuery,
  createCourseBody,
  createModuleBody,
  listCoursesQuery,
  pageQuery,
  progressBody,
  updateCourseBody,
  updateModuleBody,
} from './http/request-schemas';

const courseId = uuidPathParam('id');
const moduleId = uuidPathParam('moduleId');
const etag = {
  ETag: { description: 'The course version, e.g. "3"; send it back in If-Match', schema: { type: 'string' } },
};

const notFound = { '404': problem('No such course (or module), or a draft of someone else') };
const forbidden = { '403': problem('Not allowed for this caller (not the owner, or wrong role)') };

/**
 * The OpenAPI 3.1 document served at /api/v1/courses/openapi.json. Request schemas are generated
 * from the very zod schemas that validate requests, so the document cannot drift from the code.
 */
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
        responses: {
          '201': { description: 'Created', headers: etag, ...json(ref('Course')) },
          ...commonProblems,
          '403': problem('Students cannot create courses'),
        },
      },
      get: {
        summary: 'The catalogue: published courses plus the caller’s drafts, keyset-paginated',
        parameters: queryParameters(listCoursesQuery),
        responses: { '200': { description: 'A page', ...json(page('Course')) }, ...commonProblems },
      },
    },
    '/api/v1/courses/enrolled': {
      get: {
        summary: 'The caller’s own enrollments, newest first, each with the caller’s progress in the course',
        parameters: queryParameters(pageQuery),
        responses: {
          '200': { description: 'A page', ...json(page('StudentEnrollment')) },
          ...commonProblems,
        },
      },
    },
    '/api/v1/courses/{id}': {
      parameters: [courseId],
      get: {
        summary: 'One course',
        responses: {
          '200': { description: 'The course', headers: etag, ...json(ref('Course')) },
          ...commonProblems,
          ...notFound,
        },
      },
      put: {
        summary: 'Update a course (owner or admin); absent fields are kept, null clears',
        parameters: [
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            schema: { type: 'string' },
            description: 'ETag from a GET; optional',
          },
        ],
        requestBody: { required: true, ...json(jsonSchema(updateCourseBody)) },
        responses: {
          '200': { description: 'Updated', headers: etag, ...json(ref('Course')) },
          ...commonProblems,
          ...forbidden,
          ...notFound,
          '409': problem('Capacity below the seats already taken (reason capacity-below-enrollments)'),
          '412': problem('If-Match does not name the current version'),
          '422': problem('The enrollment window would end before it starts'),
        },
      },
      delete: {
        summary: 'Delete a course (owner or admin); its modules go with it',
        responses: { '204': { description: 'Deleted' }, ...commonProblems, ...forbidden, ...notFound },
      },
    },
    '/api/v1/courses/{id}/modules': {
      parameters: [courseId],
      get: {
        summary: 'The course’s modules by position',
        parameters: queryParameters(pageQuery),
        responses: {
          '200': { description: 'A page', ...json(page('Module')) },
          ...commonProblems,
          ...notFound,
        },
      },
      post: {
        summary: 'Add a module (owner); at `position` (default last), later ones move down',
        requestBody: { required: true, ...json(jsonSchema(createModuleBody)) },
        responses: {
          '201': { description: 'Created', ...json(ref('Module')) },
          ...commonProblems,
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
        responses: {
          '200': { description: 'Updated', ...json(ref('Module')) },
          ...commonProblems,
          ...forbidden,
          ...notFound,
        },
      },
      delete: {
        summary: 'Delete a module (owner); later ones move up',
        responses: { '204': { description: 'Deleted' }, ...commonProblems, ...forbidden, ...notFound },
      },
    },
    '/api/v1/courses/{id}/enroll': {
      parameters: [courseId],
      post: {
        summary: 'Enroll the caller (a student); repeating it changes nothing',
        responses: {
          '201': { description: 'Enrolled now', ...json(ref('Enrollment')) },
          '200': { description: 'Already enrolled', ...json(ref('Enrollment')) },
          ...commonProblems,
          '403': problem('Only students enroll'),
          ...notFound,
          '409': problem(
            'Refused; `reason` is enrollment-not-open, enrollment-closed, course-full or student-deactivated',
          ),
        },
      },
    },
    '/api/v1/courses/{id}/enrollments': {
      parameters: [courseId],
      get: {
        summary: 'The course’s enrollments, oldest first (owner or admin)',
        parameters: queryParameters(courseEnrollmentsQuery),
        responses: {
          '200': { description: 'A page', ...json(page('RosterEntry')) },
          ...commonProblems,
          ...forbidden,
          ...notFound,
        },
      },
    },
    '/api/v1/courses/{id}/modules/{moduleId}/progress': {
      parameters: [courseId, moduleId],
      put: {
        summary:
          'Record the caller’s position (seconds) and completion in a module (an actively enrolled learner only); ' +
          'idempotent, the last write’s position wins, completed never goes back to false',
        requestBody: { required: true, ...json(jsonSchema(progressBody)) },
        responses: {
          '200': { description: 'Recorded', ...json(ref('ModuleProgress')) },
          ...commonProblems,
          '403': problem('Not an actively enrolled learner of this course (owners and admins included)'),
          ...notFound,
        },
      },
    },
    '/api/v1/courses/{id}/progress': {
      parameters: [courseId],
      get: {
        summary: 'The caller’s progress in every module of the course, in position order, with the summary',
        responses: {
          '200': { description: 'Progress', ...json(ref('CourseProgress')) },
          ...commonProblems,
          '403': problem('Not an actively enrolled learner of this course'),
          ...notFound,
        },
      },
    },
    '/api/v1/courses/{id}/progress/summary': {
      parameters: [courseId],
      get: {
        summary: 'The caller’s summary for "My courses": modules completed / total, last module and position',
        responses: {
          '200': { description: 'Summary', ...json(ref('CourseProgressSummary')) },
          ...commonProblems,
          '403': problem('Not an actively enrolled learner of this course'),
          ...notFound,
        },
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
          instructorName: nullable('string', {
            description: 'The instructor’s name as the users service last announced it; null until it has',
          }),
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
      RosterEntry: {
        allOf: [
          ref('Enrollment'),
          {
            type: 'object',
            properties: {
              studentName: nullable('string', {
                description: 'The student’s name as the users service last announced it; null until it has',
              }),
            },
            required: ['studentName'],
          },
        ],
      },
      StudentEnrollment: {
        allOf: [
          ref('Enrollment'),
          {
            type: 'object',
            properties: {
              course: {
                type: 'object',
                properties: {
                  id: { type: 'string', format: 'uuid' },
                  title: { type: 'string' },
                  instructorId: { type: 'string' },
                },
              },
              progress: {
                type: 'object',
                description: 'The caller’s modules completed out of the course’s modules now',
                required: ['completedModules', 'totalModules'],
                properties: {
                  completedModules: { type: 'integer', minimum: 0 },
                  totalModules: { type: 'integer', minimum: 0 },
                },
              },
            },
            required: ['course', 'progress'],
          },
        ],
      },
      CourseProgressSummary: {
        type: 'object',
        properties: {
          courseId: { type: 'string', format: 'uuid' },
          modulesCompleted: { type: 'integer', minimum: 0 },
          modulesTotal: { type: 'integer', minimum: 0 },
          lastModule: {
            type: ['object', 'null'],
            properties: {
              moduleId: { type: 'string', format: 'uuid' },
              positionSeconds: { type: 'number', minimum: 0 },
              updatedAt: dateTime,
            },
          },
        },
      },
      ModuleProgress: {
        type: 'object',
        properties: {
          moduleId: { type: 'string', format: 'uuid' },
          positionSeconds: { type: 'number', minimum: 0, maximum: 86400 },
          completed: { type: 'boolean' },
          completedAt: nullable('string', { format: 'date-time' }),
          updatedAt: dateTime,
        },
      },
      CourseProgress: {
        allOf: [
          ref('CourseProgressSummary'),
          {
            type: 'object',
            properties: {
              modules: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    moduleId: { type: 'string', format: 'uuid' },
                    position: { type: 'integer', minimum: 1 },
                    positionSeconds: { type: 'number', minimum: 0 },
                    completed: { type: 'boolean' },
                    completedAt: nullable('string', { format: 'date-time' }),
                    updatedAt: nullable('string', { format: 'date-time', description: 'null: never played' }),
                  },
                },
              },
            },
          },
        ],
      },
      Problem: problemSchema(),
    },
  },
};
