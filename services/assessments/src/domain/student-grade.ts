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

export function studentGrade(
  assessment: Pick<Assessment, 'gradingMethod' | 'maxScore' | 'maxAttempts'>,
  submissions: readonly Pick<Submission, 'attempt' | 'status' | 'score'>[],
): StudentGrade {
  const graded = submissions.flatMap((s) =>
    s.status === 'graded' && s.score !== null ? [{ attempt: s.attempt, score: s.score }] : [],
  );
  return {
    method: assessment.gradingMethod,
    score: finalGrade(assessment.gradingMethod, graded),
    maxScore: assessment.maxScore,
    attemptsUsed: submissions.length,
    attemptsRemaining:
      assessment.maxAttempts === null ? null : Math.max(0, assessment.maxAttempts - submissions.length),
    pendingGrading: submissions.some((s) => s.status === 'submitted'),
  };
}
