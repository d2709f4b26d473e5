import { toStudentView, type Assessment } from './assessment';
import type { Question } from './question';

const questions: Question[] = [
  { id: 's', kind: 'single', prompt: 'Pick', points: 1, options: ['a', 'b'], correct: 1 },
  { id: 'm', kind: 'multiple', prompt: 'Pick all', points: 1, options: ['a', 'b'], correct: [0, 1] },
  { id: 'b', kind: 'boolean', prompt: 'True?', points: 1, correct: true },
  { id: 'n', kind: 'numeric', prompt: 'Number?', points: 1, correct: 42, tolerance: 0.5 },
  { id: 't', kind: 'text', prompt: 'Word?', points: 1, correct: 'secret', caseSensitive: true },
  { id: 'e', kind: 'essay', prompt: 'Essay', points: 1 },
];

const assessment: Assessment = {
  id: 'a',
  courseId: 'c',
  createdBy: 'i',
  title: 'Quiz',
  type: 'quiz',
  dueAt: null,
  maxAttempts: null,
  gradingMethod: 'highest',
  timeLimitSeconds: null,
  questions,
  maxScore: 6,
  createdAt: new Date(),
};

describe('toStudentView', () => {
  it('keeps prompts, points and options, and drops every answer key', () => {
    const view = toStudentView(assessment);
    expect(view.questions).toEqual([
      { id: 's', kind: 'single', prompt: 'Pick', points: 1, options: ['a', 'b'] },
      { id: 'm', kind: 'multiple', prompt: 'Pick all', points: 1, options: ['a', 'b'] },
      { id: 'b', kind: 'boolean', prompt: 'True?', points: 1 },
      { id: 'n', kind: 'numeric', prompt: 'Number?', points: 1 },
      { id: 't', kind: 'text', prompt: 'Word?', points: 1 },
      { id: 'e', kind: 'essay', prompt: 'Essay', points: 1 },
    ]);
    expect(JSON.stringify(view)).not.toMatch(/correct|tolerance|caseSensitive|secret/);
  });

  it('leaves the owner’s assessment untouched', () => {
    toStudentView(assessment);
    expect(assessment.questions[4]).toMatchObject({ correct: 'secret', caseSensitive: true });
  });
});
