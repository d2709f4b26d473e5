import type { Assessment } from './assessment';

/** Why a (well-formed) submission is refused, as the `reason` of the problem answer. */
export type SubmissionRefusal = 'past-due' | 'attempts-exhausted';

export const REFUSAL_DETAILS: Record<SubmissionRefusal, string> = {
  'past-due': 'The due date of this assessment has passed',
  'attempts-exhausted': 'Every allowed attempt of this assessment has been used',
};

/** Due date first: after it no attempt counts, however many are left. */
export function submissionRefusal(
  assessment: Pick<Assessment, 'dueAt' | 'maxAttempts'>,
  attemptsUsed: number,
  now: Date,
): SubmissionRefusal | undefined {
  if (assessment.dueAt !== null && now.getTime() > assessment.dueAt.getTime()) return 'past-due';
  if (assessment.maxAttempts !== null && attemptsUsed >= assessment.maxAttempts) return 'attempts-exhausted';
  return undefined;
}
