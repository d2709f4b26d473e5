import { z } from 'zod';
import { paginationQuery } from '@moocflix/platform-http';
import { ASSESSMENT_TYPES } from '../domain/assessment';
import { GRADING_METHODS } from '../domain/grading-method';
import { MAX_TEXT_ANSWER_LENGTH } from '../domain/answer';

/**
 * Every body, query and path of the API. Objects are strict: an unknown field is a 400, never
 * silently ignored. Answers are checked against the assessment's own questions in the use case.
 */
export const assessmentParams = z.strictObject({ id: z.uuid() });
export const submissionParams = z.strictObject({ id: z.uuid(), submissionId: z.uuid() });
export const attemptParams = z.strictObject({
  id: z.uuid(),
  attempt: z.coerce.number().int().min(1).max(1_000_000),
});
export const noQuery = z.strictObject({});
/** Starting an attempt takes no input: no body, or an empty JSON object. */
export const noBody = z.strictObject({});

/** PostgreSQL text cannot hold NUL characters: such input is a 400 here, never a 500 from the database. */
const storableText = () =>
  z.string().refine((value) => !value.includes('\u0000'), { message: 'must not contain NUL characters' });

const prompt = storableText().trim().min(1).max(5_000);
const points = z.number().positive().max(1_000);
const options = z.array(storableText().trim().min(1).max(500)).min(2).max(50);
const optionIndex = z.number().int().min(0);

const question = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('single'), prompt, points, options, correct: optionIndex }),
    z.strictObject({
      kind: z.literal('multiple'),
      prompt,
      points,
      options,
      correct: z.array(optionIndex).min(1),
    }),
    z.strictObject({ kind: z.literal('boolean'), prompt, points, correct: z.boolean() }),
    z.strictObject({
      kind: z.literal('numeric'),
      prompt,
      points,
      correct: z.number(),
      /** Answers within ±tolerance of `correct` earn the points. */
      tolerance: z.number().min(0).default(0),
    }),
    z.strictObject({
      kind: z.literal('text'),
      prompt,
      points,
      correct: storableText().trim().min(1).max(MAX_TEXT_ANSWER_LENGTH),
      /** Compared after trimming; ignoring case unless true. */
      caseSensitive: z.boolean().default(false),
    }),
    z.strictObject({ kind: z.literal('essay'), prompt, points }),
  ])
  .superRefine((q, ctx) => {
    if (q.kind !== 'single' && q.kind !== 'multiple') return;
    const keys = q.kind === 'single' ? [q.correct] : q.correct;
    if (keys.some((index) => index >= q.options.length)) {
      ctx.addIssue({
        code: 'custom',
        path: ['correct'],
        message: `must index the options (0 to ${q.options.length - 1})`,
      });
    }
    if (new Set(keys).size !== keys.length)
      ctx.addIssue({ code: 'custom', path: ['correct'], message: 'must not name an option twice' });
  });

const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const createAssessmentBody = z
  .strictObject({
    courseId: z.uuid(),
    title: storableText().trim().min(1).max(200),
    type: z.enum(ASSESSMENT_TYPES),
    questions: z.array(question).min(1).max(200),
    /** Submissions after it are refused (422 past-due); null or absent = no deadline. */
    dueAt: instant.nullable().optional(),
    /** null or absent = unlimited. */
    maxAttempts: z.number().int().min(1).max(100).nullable().optional(),
    gradingMethod: z.enum(GRADING_METHODS).default('highest'),
    /**
     * Enforced by the server: a student starts an attempt (POST /:id/attempts) and must submit it
     * within this many seconds (plus a short grace for the final request's transit), never past the
     * due date; null or absent = untimed.
     */
    timeLimitSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .nullable()
      .optional(),
  })
  .transform((body) => ({
    ...body,
    dueAt: body.dueAt ?? null,
    maxAttempts: body.maxAttempts ?? null,
    timeLimitSeconds: body.timeLimitSeconds ?? null,
  }));

export const listAssessmentsQuery = z.strictObject({ courseId: z.uuid(), ...paginationQuery });
export const resultsQuery = z.strictObject(paginationQuery);

const questionId = z.string().min(1).max(100);

/** Answer values are checked against the questions by the use case (400 with one error per bad answer). */
export const submitBody = z.strictObject({ answers: z.record(questionId, z.unknown()) });

export const gradeBody = z
  .strictObject({
    /** The overall score, 0..maxScore. */
    score: z.number().min(0).optional(),
    /** Scores of essay questions by question id, each 0..the question's points. */
    questionScores: z.record(questionId, z.number().min(0)).optional(),
    /** Absent keeps the current feedback; null clears it. */
    feedback: storableText().trim().max(10_000).nullable().optional(),
  })
  .refine((body) => body.score === undefined || body.questionScores === undefined, {
    message: 'give either an overall score or questionScores, not both',
  })
  .refine(
    (body) => body.score !== undefined || body.questionScores !== undefined || body.feedback !== undefined,
    {
      message: 'give a score, questionScores or feedback',
    },
  );
