import { roundScore } from './auto-grading';

export const GRADING_METHODS = ['highest', 'latest', 'first', 'average'] as const;
export type GradingMethod = (typeof GRADING_METHODS)[number];

export interface GradedAttempt {
  attempt: number;
  score: number;
}

/**
 * A student's final grade over their GRADED attempts (an attempt waiting for manual grading does not
 * count yet): the highest score, the latest or first graded attempt's, or the mean. Null when no
 * attempt is graded.
 */
export function finalGrade(method: GradingMethod, attempts: readonly GradedAttempt[]): number | null {
  if (attempts.length === 0) return null;
  const byAttempt = [...attempts].sort((a, b) => a.attempt - b.attempt);
  switch (method) {
    case 'highest':
      return Math.max(...byAttempt.map((a) => a.score));
    case 'latest':
      return byAttempt[byAttempt.length - 1]!.score;
    case 'first':
      return byAttempt[0]!.score;
    case 'average':
      return roundScore(byAttempt.reduce((sum, a) => sum + a.score, 0) / byAttempt.length);
  }
}
