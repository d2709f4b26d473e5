import type { AnswerValue, Answers } from './answer';
import type { Question } from './question';

/** Points earned per question id; null = an answered essay waiting for the course owner. */
export type QuestionScores = Record<string, number | null>;

// Scores are kept to 4 decimals: partial credit gives thirds and the like, and a total of
// 0.30000000000000004 points helps nobody.
export const roundScore = (value: number): number => Math.round(value * 10_000) / 10_000;

// Numeric answers are compared with a little slack on top of the tolerance, so 0.1 + 0.2 matches 0.3.
const FLOAT_SLACK = 1e-9;

/**
 * The points one answer earns, or null when a person has to grade it (an answered essay).
 * Rules (also in the OpenAPI document):
 * - single, boolean: all the points for the correct answer, else 0;
 * - multiple (partial credit): points × max(0, (correct selected − incorrect selected) / number of
 *   correct options), so guessing every option earns nothing;
 * - numeric: all the points within ±tolerance of the key;
 * - text: all the points when the trimmed answer equals the trimmed key, ignoring case unless the
 *   question is caseSensitive;
 * - an unanswered question, essays included, earns 0.
 */
export function scoreAnswer(question: Question, answer: AnswerValue | undefined): number | null {
  if (answer === undefined) return 0;
  switch (question.kind) {
    case 'single':
    case 'boolean':
      return answer === question.correct ? question.points : 0;
    case 'multiple': {
      const selected = answer as number[];
      const key = new Set(question.correct);
      const right = selected.filter((index) => key.has(index)).length;
      const wrong = selected.length - right;
      return roundScore(question.points * Math.max(0, (right - wrong) / key.size));
    }
    case 'numeric':
      return Math.abs((answer as number) - question.correct) <=
        question.tolerance + FLOAT_SLACK * Math.max(1, Math.abs(question.correct))
        ? question.points
        : 0;
    case 'text': {
      const given = (answer as string).trim();
      const key = question.correct.trim();
      const matches = question.caseSensitive
        ? given === key
        : given.toLocaleLowerCase() === key.toLocaleLowerCase();
      return matches ? question.points : 0;
    }
    case 'essay':
      return null;
  }
}

export interface AutoGrading {
  questionScores: QuestionScores;
  /** The total when nothing waits for a person; null while an essay is ungraded. */
  score: number | null;
}

/** Grades every question it can; the submission is complete when no answered essay remains. */
export function autoGrade(questions: readonly Question[], answers: Answers): AutoGrading {
  const questionScores: QuestionScores = {};
  for (const question of questions) questionScores[question.id] = scoreAnswer(question, answers[question.id]);
  return { questionScores, score: totalScore(questionScores) };
}

/** The sum of the question scores, or null while any of them is still ungraded. */
export function totalScore(questionScores: QuestionScores): number | null {
  const scores = Object.values(questionScores);
  if (scores.some((s) => s === null)) return null;
  return roundScore((scores as number[]).reduce((sum, s) => sum + s, 0));
}

export const maxScoreOf = (questions: readonly Question[]): number =>
  roundScore(questions.reduce((sum, q) => sum + q.points, 0));
