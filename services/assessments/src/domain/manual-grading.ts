import { problems, type FieldError } from '@moocflix/platform-core/errors';
import { roundScore, totalScore, type QuestionScores } from './auto-grading';
import type { Question } from './question';

/** The grade body: essay scores by question id, or one overall score; feedback optional. */
export interface GradeDecision {
  score?: number;
  questionScores?: Record<string, number>;
  /** Absent keeps the current feedback; null clears it. */
  feedback?: string | null;
}

export interface GradedState {
  questionScores: QuestionScores;
  score: number;
  feedback: string | null;
}

/**
 * The course owner's grading (or regrading) of one submission:
 * - `questionScores` scores essay questions (each within 0..points); the score becomes the sum of
 *   every question's score, so all essays must be scored by then (422 `ungraded-questions` if not);
 * - `score` sets the overall score directly (within 0..maxScore), e.g. for an assignment graded as
 *   a whole; a later `questionScores` grading recomputes the sum;
 * - feedback alone changes only the feedback of an already graded submission.
 */
export function applyManualGrade(
  questions: readonly Question[],
  maxScore: number,
  current: { questionScores: QuestionScores; score: number | null; feedback: string | null },
  decision: GradeDecision,
): GradedState {
  const errors = decisionErrors(questions, maxScore, decision);
  if (errors.length > 0)
    throw problems.badRequest(errors.map((e) => `${e.path} ${e.message}`).join('; '), errors);

  const questionScores: QuestionScores = { ...current.questionScores, ...decision.questionScores };
  const feedback = decision.feedback === undefined ? current.feedback : decision.feedback;
  if (decision.score !== undefined) return { questionScores, score: roundScore(decision.score), feedback };

  // Feedback alone keeps the current score, which may be an overall one.
  const score =
    decision.questionScores === undefined && current.score !== null
      ? current.score
      : totalScore(questionScores);
  if (score === null) {
    const ungraded = Object.keys(questionScores).filter((id) => questionScores[id] === null);
    throw problems.unprocessable(
      `Every essay needs a score (or give an overall score); not scored yet: ${ungraded.join(', ')}`,
      'ungraded-questions',
    );
  }
  return { questionScores, score, feedback };
}

function decisionErrors(
  questions: readonly Question[],
  maxScore: number,
  decision: GradeDecision,
): FieldError[] {
  const errors: FieldError[] = [];
  if (decision.score !== undefined && !(decision.score >= 0 && decision.score <= maxScore)) {
    errors.push({
      path: 'body.score',
      message: `must be between 0 and the assessment's maxScore ${maxScore}`,
    });
  }
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const [questionId, score] of Object.entries(decision.questionScores ?? {})) {
    const path = `body.questionScores.${questionId}`;
    const question = byId.get(questionId);
    if (!question) errors.push({ path, message: 'not a question of this assessment' });
    else if (question.kind !== 'essay')
      errors.push({ path, message: 'only essay questions are graded by hand' });
    else if (!(score >= 0 && score <= question.points))
      errors.push({ path, message: `must be between 0 and the question's ${question.points} points` });
  }
  return errors;
}
