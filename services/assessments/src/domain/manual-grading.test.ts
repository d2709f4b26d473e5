import { HttpProblem } from '@moocflix/platform-core/errors';
import { applyManualGrade } from './manual-grading';
import type { Question } from './question';

const questions: Question[] = [
  { id: 's', kind: 'single', prompt: 'Pick', points: 2, options: ['a', 'b'], correct: 0 },
  { id: 'e1', kind: 'essay', prompt: 'One', points: 5 },
  { id: 'e2', kind: 'essay', prompt: 'Two', points: 3 },
];
const pending = { questionScores: { s: 2, e1: null, e2: null }, score: null, feedback: null };

function problemOf(run: () => unknown): HttpProblem {
  try {
    run();
  } catch (err) {
    if (err instanceof HttpProblem) return err;
    throw err;
  }
  throw new Error('expected a problem');
}

describe('applyManualGrade', () => {
  it('sums the objective scores with every essay score', () => {
    expect(
      applyManualGrade(questions, 10, pending, { questionScores: { e1: 4, e2: 1.5 }, feedback: 'Good' }),
    ).toEqual({
      questionScores: { s: 2, e1: 4, e2: 1.5 },
      score: 7.5,
      feedback: 'Good',
    });
  });

  it('refuses to complete while an answered essay has no score (422 ungraded-questions)', () => {
    const problem = problemOf(() => applyManualGrade(questions, 10, pending, { questionScores: { e1: 4 } }));
    expect(problem.status).toBe(422);
    expect(problem.extensions.reason).toBe('ungraded-questions');
    expect(problem.detail).toContain('e2');
  });

  it('takes an overall score as is, even with essays unscored', () => {
    expect(applyManualGrade(questions, 10, pending, { score: 9 })).toEqual({
      questionScores: pending.questionScores,
      score: 9,
      feedback: null,
    });
  });

  it('regrades: new essay scores recompute the sum; feedback alone keeps the score; null clears feedback', () => {
    const graded = { questionScores: { s: 2, e1: 4, e2: 1 }, score: 7, feedback: 'ok' };
    expect(applyManualGrade(questions, 10, graded, { questionScores: { e2: 3 } })).toMatchObject({
      score: 9,
      feedback: 'ok',
    });
    const overall = { ...graded, score: 9.5 };
    expect(applyManualGrade(questions, 10, overall, { feedback: 'Well argued' })).toEqual({
      ...overall,
      feedback: 'Well argued',
    });
    expect(applyManualGrade(questions, 10, graded, { feedback: null }).feedback).toBeNull();
  });

  it('refuses feedback alone on an attempt that is not graded yet', () => {
    expect(problemOf(() => applyManualGrade(questions, 10, pending, { feedback: 'Hm' })).status).toBe(422);
  });

  it('refuses scores out of range, on objective questions or on unknown ids (400, one error each)', () => {
    const problem = problemOf(() =>
      applyManualGrade(questions, 10, pending, { questionScores: { e1: 6, e2: -1, s: 1, zz: 1 } }),
    );
    expect(problem.status).toBe(400);
    expect((problem.extensions.errors as { path: string }[]).map((e) => e.path)).toEqual([
      'body.questionScores.e1',
      'body.questionScores.e2',
      'body.questionScores.s',
      'body.questionScores.zz',
    ]);
    expect(problemOf(() => applyManualGrade(questions, 10, pending, { score: 10.5 })).status).toBe(400);
    expect(problemOf(() => applyManualGrade(questions, 10, pending, { score: -1 })).status).toBe(400);
  });
});
