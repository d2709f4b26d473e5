import type { FieldError } from '@moocflix/platform-core/errors';
import type { Question } from './question';

/** A student's answer: an option index, option indexes, a boolean, a number or a text. */
export type AnswerValue = number | number[] | boolean | string;
export type Answers = Record<string, AnswerValue>;

export const MAX_TEXT_ANSWER_LENGTH = 1_000;
export const MAX_ESSAY_LENGTH = 50_000;

/**
 * Checks a submit body's answers against the assessment's questions: every key must be one of its
 * question ids and every value of the shape its kind expects. Returns the problems found (empty:
 * valid), with paths as the HTTP layer reports them. Unanswered questions are allowed (they score 0).
 */
export function findAnswerErrors(
  questions: readonly Question[],
  answers: Record<string, unknown>,
): FieldError[] {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const errors: FieldError[] = [];
  for (const [questionId, value] of Object.entries(answers)) {
    const path = `body.answers.${questionId}`;
    const question = byId.get(questionId);
    if (!question) {
      errors.push({ path, message: 'not a question of this assessment' });
      continue;
    }
    const message = answerShapeError(question, value);
    if (message) errors.push({ path, message });
  }
  return errors;
}

const isOptionIndex = (value: unknown, options: readonly string[]): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) < options.length;

function answerShapeError(question: Question, value: unknown): string | undefined {
  switch (question.kind) {
    case 'single':
      return isOptionIndex(value, question.options)
        ? undefined
        : `must be an option index from 0 to ${question.options.length - 1}`;
    case 'multiple':
      if (!Array.isArray(value) || !value.every((v) => isOptionIndex(v, question.options))) {
        return `must be an array of option indexes from 0 to ${question.options.length - 1}`;
      }
      return new Set(value).size === value.length ? undefined : 'must not select an option twice';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'numeric':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'text':
      return textError(value, MAX_TEXT_ANSWER_LENGTH);
    case 'essay':
      return textError(value, MAX_ESSAY_LENGTH);
  }
}

function textError(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string' || value.length > maxLength)
    return `must be a text of at most ${maxLength} characters`;
  // PostgreSQL cannot store NUL characters: refused here rather than failing the insert.
  return value.includes('\u0000') ? 'must not contain NUL characters' : undefined;
}
