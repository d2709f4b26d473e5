import { problems, type HttpProblem } from '@moocflix/platform-core/errors';
import type { Assessment } from './assessment';

/** Why a (well-formed) submission, or the start of an attempt, is refused, as the `reason` of the problem answer. */
export type SubmissionRefusal =
  'past-due' | 'attempts-exhausted' | 'attempt-not-started' | 'time-limit-exceeded';

export const REFUSAL_DETAILS: Record<SubmissionRefusal, string> = {
  'past-due': 'The due date of this assessment has passed',
  'attempts-exhausted': 'Every allowed attempt of this assessment has been used',
  'attempt-not-started':
    'This assessment has a time limit: start an attempt (POST /api/v1/assessments/:id/attempts) first, then submit it',
  'time-limit-exceeded': 'The time limit of this attempt has passed; it counts as used',
};

/** 409 when the request conflicts with the state of the student's attempts; 422 when it comes too late. */
const REFUSAL_STATUS: Record<SubmissionRefusal, 'conflict' | 'unprocessable'> = {
  'attempts-exhausted': 'conflict',
  'attempt-not-started': 'conflict',
  'past-due': 'unprocessable',
  'time-limit-exceeded': 'unprocessable',
};

export const refusalProblem = (refusal: SubmissionRefusal): HttpProblem =>
  problems[REFUSAL_STATUS[refusal]](REFUSAL_DETAILS[refusal], refusal);

export const isPastDue = (assessment: Pick<Assessment, 'dueAt'>, now: Date): boolean =>
  assessment.dueAt !== null && now.getTime() > assessment.dueAt.getTime();

/** Due date first: after it no attempt counts, however many are left. */
export function submissionRefusal(
  assessment: Pick<Assessment, 'dueAt' | 'maxAttempts'>,
  attemptsUsed: number,
  now: Date,
): SubmissionRefusal | undefined {
  if (isPastDue(assessment, now)) return 'past-due';
  if (assessment.maxAttempts !== null && attemptsUsed >= assessment.maxAttempts) return 'attempts-exhausted';
  return undefined;
}
