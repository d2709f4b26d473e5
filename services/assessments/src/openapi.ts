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
  type JsonSchemaOptions,
} from '@moocflix/platform-http';
import { TIME_LIMIT_GRACE_MS } from './domain/attempt';
import {
  createAssessmentBody,
  gradeBody,
  listAssessmentsQuery,
  noBody,
  resultsQuery,
  submitBody,
} from './http/request-schemas';

// A type JSON Schema cannot express becomes {} here instead of failing the document (as this service always did).
const zodOptions: JsonSchemaOptions = { unrepresentable: 'any' };

const common = {
  ...commonProblems,
  '400': problem('Malformed path, query or body (unknown fields included); errors[] names each bad field'),
};
const notFound = { '404': problem('No such assessment (or its course is unknown here or was deleted)') };

const SCORING_RULES =
  'Scoring: single and boolean questions earn their points for the correct answer; multiple choice earns partial credit, ' +
  'points × max(0, (correct options selected − incorrect options selected) / number of correct options), so selecting ' +
  'everything earns nothing; numeric answers earn the points within ±tolerance (default 0) of the key; text answers earn ' +
  'the points when equal to the key after trimming, ignoring case unless caseSensitive (default false); essays are graded ' +
  'by the course owner; an unanswered question earns 0. Scores are rounded to 4 decimals.';

const TIME_LIMIT_RULES =
  'Time limits are enforced: for an assessment with timeLimitSeconds a student starts an attempt (POST /{id}/attempts) ' +
  'and must submit it before its expiresAt (startedAt + timeLimitSeconds, capped at dueAt), with a grace of ' +
  `${TIME_LIMIT_GRACE_MS / 1000} s for the final request's transit; the due date itself has no grace. An attempt that ` +
  'expired unsubmitted counts toward maxAttempts. Without a time limit starting is optional: a submit ends the open ' +
  'started attempt if there is one, else it is an attempt of its own.';

/**
 * The OpenAPI 3.1 document served at /api/v1/assessments/openapi.json. Request schemas are generated
 * from the zod schemas that validate the requests, so the document cannot drift from the code.
 */
export const assessmentsOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'MoocFlix Assessment',
    version: '1.0.0',
    description:
      'Quizzes and assignments of a course, submissions, grading and results. Every route needs a bearer token. The course ' +
      'owner (as known from Course-* events) creates and grades; students actively enrolled (Student-Enrolled) read and ' +
      'submit; anyone else gets 403. Students never see answer keys (correct, tolerance, caseSensitive). An attempt without ' +
      'an answered essay is graded at submit. ' +
      TIME_LIMIT_RULES +
      ' ' +
      SCORING_RULES +
      ' Events: Assessment-Creation, Submission-Completed (for the instructor), Grading-Completed (for the student; at submit ' +
      'when fully auto-graded, and on every manual grade or regrade). Consumes Course-Creation, Course-Update, ' +
      'Course-Deletion and Student-Enrolled (consumer group "assessments").',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/assessments': {
      post: {
        summary: 'Create a quiz or an assignment (course owner); questions get ids',
        description: SCORING_RULES,
        requestBody: { required: true, ...json(jsonSchema(createAssessmentBody, zodOptions)) },
        responses: {
          '201': { description: 'Created', ...json(ref('Assessment')) },
          ...common,
          '403': problem('The caller does not own the course'),
          '404': problem(
            'The course is unknown here (its Course-Creation may not have arrived yet) or was deleted',
          ),
        },
      },
      get: {
        summary:
          'A course’s assessments, newest first (owner and enrolled students); summaries without questions',
        parameters: queryParameters(listAssessmentsQuery, zodOptions),
        responses: {
          '200': { description: 'A page', ...json(page('AssessmentSummary')) },
          ...common,
          '403': problem('Neither the course owner nor an enrolled student'),
          '404': problem('No such course'),
        },
      },
    },
    '/api/v1/assessments/{id}': {
      parameters: [uuidPathParam('id')],
      get: {
        summary: 'One assessment: everything for the owner, no answer keys for enrolled students',
        responses: {
          '200': {
            description: 'The assessment',
            ...json({ oneOf: [ref('Assessment'), ref('StudentAssessment')] }),
          },
          ...common,
          '403': problem('Neither the course owner nor an enrolled student'),
          ...notFound,
        },
      },
    },
    '/api/v1/assessments/{id}/attempts': {
      parameters: [uuidPathParam('id')],
      post: {
        summary: 'Start an attempt (enrolled students): the server’s clock for the time limit starts now',
        description:
          'No body (or an empty object). While the student’s latest attempt is open (started, not submitted, time not ' +
          'run out) it is returned again with 200. Otherwise the due date and maxAttempts are checked as at submit and ' +
          'the next attempt starts (201): its number follows every attempt used, submitted or expired. ' +
          TIME_LIMIT_RULES,
        requestBody: { required: false, ...json(jsonSchema(noBody, zodOptions)) },
        responses: {
          '201': {
            description: 'Started',
            headers: {
              Location: {
                description: 'Names the attempt: /api/v1/assessments/{id}/attempts/{attempt}',
                schema: { type: 'string' },
              },
            },
            ...json(ref('Attempt')),
          },
          '200': { description: 'The open attempt, started earlier', ...json(ref('Attempt')) },
          ...common,
          '403': problem('Not actively enrolled in the course (the course owner included)'),
          ...notFound,
          '409': problem('reason attempts-exhausted: every allowed attempt is used (expired ones included)'),
          '422': problem('reason past-due: the due date has passed'),
        },
      },
    },
    '/api/v1/assessments/{id}/attempts/{attempt}': {
      parameters: [
        uuidPathParam('id'),
        { name: 'attempt', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
      ],
      get: {
        summary:
          'One of the caller’s own attempts (enrolled students), e.g. to restore a timer after a reload',
        responses: {
          '200': { description: 'The attempt', ...json(ref('Attempt')) },
          ...common,
          '403': problem(
            'Not actively enrolled in the course: attempts are read by the student who started them',
          ),
          '404': problem('No such assessment, or the caller started no attempt with this number'),
        },
      },
    },
    '/api/v1/assessments/{id}/submit': {
      parameters: [uuidPathParam('id')],
      post: {
        summary: 'Submit an attempt (enrolled students); objective questions graded at once',
        description:
          'answers maps question ids to: an option index (single), an array of distinct option indexes (multiple), a boolean, ' +
          'a number, a text (text, essay). Unanswered questions earn 0. ' +
          SCORING_RULES,
        requestBody: { required: true, ...json(jsonSchema(submitBody, zodOptions)) },
        responses: {
          '201': {
            description: 'The attempt; status graded unless an answered essay waits for the owner',
            ...json(ref('Submission')),
          },
          ...common,
          '403': problem('Not actively enrolled in the course'),
          ...notFound,
          '409': problem(
            'reason attempts-exhausted: every allowed attempt is used; reason attempt-not-started: the assessment has a ' +
              'time limit and the student has no open attempt (POST /{id}/attempts first)',
          ),
          '422': problem(
            'reason past-due: the due date has passed; reason time-limit-exceeded: the student’s latest attempt ran out ' +
              'of time (grace included) before this submit; it stays used',
          ),
        },
      },
    },
    '/api/v1/assessments/{id}/submissions/{submissionId}': {
      parameters: [uuidPathParam('id'), uuidPathParam('submissionId')],
      get: {
        summary: 'One attempt, with its answers (course owner, or the student who made it)',
        responses: {
          '200': { description: 'The attempt', ...json(ref('Submission')) },
          ...common,
          '403': problem('Neither the course owner nor an enrolled student'),
          '404': problem('No such assessment or submission (or another student’s)'),
        },
      },
    },
    '/api/v1/assessments/{id}/submissions/{submissionId}/grade': {
      parameters: [uuidPathParam('id'), uuidPathParam('submissionId')],
      post: {
        summary:
          'Grade or regrade an attempt (course owner); every decision is audited and emits Grading-Completed',
        description:
          'questionScores scores essay questions (each 0..points); the score becomes the sum of all question scores, so every ' +
          'essay must have one. Or score sets the overall score (0..maxScore). Feedback alone changes only the feedback of a ' +
          'graded attempt.',
        requestBody: { required: true, ...json(jsonSchema(gradeBody, zodOptions)) },
        responses: {
          '200': { description: 'The graded attempt', ...json(ref('Submission')) },
          ...common,
          '403': problem('The caller does not own the course'),
          '404': problem('No such assessment or submission'),
          '422': problem('reason ungraded-questions: an essay still has no score'),
        },
      },
    },
    '/api/v1/assessments/{id}/results': {
      parameters: [uuidPathParam('id')],
      get: {
        summary:
          'Results: a student gets their attempts and final grade; the owner every student (paginated) and statistics',
        description:
          'The final grade follows the assessment’s gradingMethod over GRADED attempts: highest, latest, first or average. ' +
          'limit and cursor page the owner’s list (by student id); a student always gets all their attempts.',
        parameters: queryParameters(resultsQuery, zodOptions),
        responses: {
          '200': { description: 'Results', ...json({ oneOf: [ref('OwnResults'), ref('CourseResults')] }) },
          ...common,
          '403': problem('Neither the course owner nor an enrolled student'),
          ...notFound,
        },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Assessment: {
        type: 'object',
        description: 'The owner’s view, answer keys included',
        properties: {
          ...assessmentFields(),
          questions: { type: 'array', items: { type: 'object', description: 'As created, with an id' } },
        },
      },
      StudentAssessment: {
        type: 'object',
        description: 'A student’s view: questions without correct, tolerance or caseSensitive',
        properties: { ...assessmentFields(), questions: { type: 'array', items: ref('StudentQuestion') } },
      },
      AssessmentSummary: {
        type: 'object',
        properties: { ...assessmentFields(), questionCount: { type: 'integer' } },
      },
      StudentQuestion: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          kind: { enum: ['single', 'multiple', 'boolean', 'numeric', 'text', 'essay'] },
          prompt: { type: 'string' },
          points: { type: 'number' },
          options: { type: 'array', items: { type: 'string' } },
        },
      },
      Attempt: {
        type: 'object',
        properties: {
          assessmentId: { type: 'string', format: 'uuid' },
          attempt: {
            type: 'integer',
            minimum: 1,
            description: 'The number the submission ending it will take',
          },
          startedAt: dateTime,
          expiresAt: nullable('string', {
            format: 'date-time',
            description:
              'startedAt + timeLimitSeconds, capped at dueAt; submits are accepted until this instant plus the grace. ' +
              'null = no time limit',
          }),
        },
      },
      Submission: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          assessmentId: { type: 'string', format: 'uuid' },
          studentId: { type: 'string' },
          attempt: {
            type: 'integer',
            minimum: 1,
            description:
              'The number of the started attempt it ended, else the next one; numbers of attempts that expired ' +
              'unsubmitted stay used (are skipped)',
          },
          status: { enum: ['submitted', 'graded'] },
          score: nullable('number', { description: 'null until every question is graded' }),
          maxScore: { type: 'number' },
          answers: { type: 'object', additionalProperties: true },
          questionScores: {
            type: 'object',
            additionalProperties: nullable('number'),
            description: 'null = essay not graded yet',
          },
          feedback: nullable('string'),
          submittedAt: dateTime,
          gradedAt: nullable('string', { format: 'date-time' }),
          gradedBy: nullable('string', { description: '"auto-grader" when graded at submit' }),
        },
      },
      Grade: {
        type: 'object',
        properties: {
          method: { enum: ['highest', 'latest', 'first', 'average'] },
          score: nullable('number', { description: 'null before any attempt is graded' }),
          maxScore: { type: 'number' },
          attemptsUsed: { type: 'integer' },
          attemptsRemaining: nullable('integer', { description: 'null = unlimited' }),
          pendingGrading: { type: 'boolean' },
        },
      },
      OwnResults: {
        type: 'object',
        properties: { items: { type: 'array', items: ref('Submission') }, grade: ref('Grade') },
      },
      CourseResults: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                studentId: { type: 'string' },
                grade: ref('Grade'),
                submissions: { type: 'array', items: ref('Submission') },
              },
            },
          },
          nextCursor: nullable('string'),
          stats: {
            type: 'object',
            properties: {
              enrolledStudents: { type: 'integer' },
              submittedStudents: {
                type: 'integer',
                description: 'Active students with at least one attempt',
              },
              completion: nullable('number', { description: 'submittedStudents / enrolledStudents' }),
              gradedStudents: { type: 'integer' },
              mean: nullable('number'),
              median: nullable('number'),
              maxScore: { type: 'number' },
            },
          },
        },
      },
      Problem: problemSchema(),
    },
  },
};

function assessmentFields() {
  return {
    id: { type: 'string', format: 'uuid' },
    courseId: { type: 'string', format: 'uuid' },
    createdBy: { type: 'string' },
    title: { type: 'string' },
    type: { enum: ['quiz', 'assignment'] },
    dueAt: nullable('string', { format: 'date-time' }),
    maxAttempts: nullable('integer', { description: 'null = unlimited' }),
    gradingMethod: { enum: ['highest', 'latest', 'first', 'average'] },
    timeLimitSeconds: nullable('integer', {
      description:
        'Enforced by the server: an attempt must be started (POST /{id}/attempts) and submitted within it ' +
        '(plus the grace, never past dueAt). null = untimed',
    }),
    maxScore: { type: 'number' },
    createdAt: dateTime,
  };
}
