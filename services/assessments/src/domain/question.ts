/**
 * The question kinds. Objective kinds carry their answer key (`correct`, and for
 * numeric/text the matching rule); essays are graded by the course owner.
 */
export const QUESTION_KINDS = ['single', 'multiple', 'boolean', 'numeric', 'text', 'essay'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

interface QuestionBase {
  id: string;
  prompt: string;
  points: number;
}

export type Question = QuestionBase &
  (
    | { kind: 'single'; options: string[]; correct: number }
    | { kind: 'multiple'; options: string[]; correct: number[] }
    | { kind: 'boolean'; correct: boolean }
    | { kind: 'numeric'; correct: number; tolerance: number }
    | { kind: 'text'; correct: string; caseSensitive: boolean }
    | { kind: 'essay' }
  );

/** What a question looks like before the service gave it an id (the create body). */
export type NewQuestion = Question extends infer Q ? (Q extends Question ? Omit<Q, 'id'> : never) : never;

/** A question as students see it: the prompt, its points and its options — never the answer key. */
export interface StudentQuestion {
  id: string;
  kind: QuestionKind;
  prompt: string;
  points: number;
  options?: string[];
}

export function toStudentQuestion(question: Question): StudentQuestion {
  const { id, kind, prompt, points } = question;
  return 'options' in question
    ? { id, kind, prompt, points, options: [...question.options] }
    : { id, kind, prompt, points };
}

export const isManuallyGraded = (question: Question): boolean => question.kind === 'essay';
