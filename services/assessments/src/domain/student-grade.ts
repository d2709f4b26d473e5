import type { Assessment } from './assessment';
import { finalGrade, type GradingMethod } from './grading-method';
import type { Submission } from './submission';

/** A student's standing on one assessment, as their results and the owner's list show it. */
export interface StudentGrade {
  method: GradingMethod;
  /** The final grade per the method over graded attempts; null before any is graded. */
  score: number | null;
  maxScore: number;
  attemptsUsed: number;
  /** null = unlimited. */
  attemptsRemaining: number | null;
  /** An attempt waits for the course owner to grade an essay. */
  pendingGrading: boolean;
}

/**
 * `greatestStartedAttempt`: the greatest number among the student's started attempts (0 for none).
 * Attempt numbers are handed out in order, so the greatest one used — by a submission or by an
 * attempt started and never submitted (expired, or still running) — is the number of attempts used.
 */
export function studentGrade(
  assessment: Pick<Assessment, 'gradingMethod' | 'maxScore' | 'maxAttempts'>,
  submissions: readonly Pick<Submission, 'attempt' | 'status' | 'score'>[],
  greatestStartedAttempt = 0,
): StudentGrade {
  const attemptsUsed = Math.max(greatestStartedAttempt, ...submissions.map((s) => s.attempt));
  const graded = submissions.flatMap((s) =>
    s.status === 'graded' && s.score !== null ? [{ attempt: s.attempt, score: s.score }] : [],
  );
  return {
    method: assessment.gradingMethod,
    score: finalGrade(assessment.gradingMethod, graded),
    maxScore: assessment.maxScore,
    attemptsUsed,
    attemptsRemaining:
      assessment.maxAttempts === null ? null : Math.max(0, assessment.maxAttempts - attemptsUsed),
    pendingGrading: submissions.some((s) => s.status === 'submitted'),
  };
}
