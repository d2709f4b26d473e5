import { autoGrade, maxScoreOf, scoreAnswer, totalScore } from './auto-grading';
import type { Question } from './question';

const single: Question = {
  id: 's',
  kind: 'single',
  prompt: 'Pick',
  points: 2,
  options: ['a', 'b', 'c'],
  correct: 1,
};
const multiple: Question = {
  id: 'm',
  kind: 'multiple',
  prompt: 'Pick all',
  points: 3,
  options: ['a', 'b', 'c', 'd'],
  correct: [0, 2, 3],
};
const boolean: Question = { id: 'b', kind: 'boolean', prompt: 'True?', points: 1, correct: false };
const numeric: Question = {
  id: 'n',
  kind: 'numeric',
  prompt: 'Pi?',
  points: 4,
  correct: 3.14,
  tolerance: 0.01,
};
const exactNumeric: Question = {
  id: 'x',
  kind: 'numeric',
  prompt: '0.1 + 0.2?',
  points: 1,
  correct: 0.3,
  tolerance: 0,
};
const text: Question = {
  id: 't',
  kind: 'text',
  prompt: 'Capital?',
  points: 2,
  correct: 'Paris',
  caseSensitive: false,
};
const caseSensitiveText: Question = {
  id: 'c',
  kind: 'text',
  prompt: 'Symbol?',
  points: 2,
  correct: 'NaCl',
  caseSensitive: true,
};
const essay: Question = { id: 'e', kind: 'essay', prompt: 'Discuss', points: 10 };

describe('scoreAnswer', () => {
  it('gives single choice and true/false all or nothing', () => {
    expect(scoreAnswer(single, 1)).toBe(2);
    expect(scoreAnswer(single, 0)).toBe(0);
    expect(scoreAnswer(boolean, false)).toBe(1);
    expect(scoreAnswer(boolean, true)).toBe(0);
  });

  it('gives multiple choice partial credit: (right − wrong) / correct options, never below 0', () => {
    expect(scoreAnswer(multiple, [0, 2, 3])).toBe(3);
    expect(scoreAnswer(multiple, [3, 0])).toBe(2);
    expect(scoreAnswer(multiple, [0])).toBe(1);
    expect(scoreAnswer(multiple, [0, 2, 1])).toBe(1); // 2 right, 1 wrong → (2 − 1) / 3
    expect(scoreAnswer(multiple, [0, 1, 2, 3])).toBe(2); // 3 right, 1 wrong → 2/3 of 3 points
    expect(scoreAnswer(multiple, [1])).toBe(0);
    expect(scoreAnswer(multiple, [])).toBe(0);
  });

  it('rounds partial credit to 4 decimals', () => {
    const q: Question = { ...multiple, points: 1 };
    expect(scoreAnswer(q, [0])).toBe(0.3333);
  });

  it('accepts numeric answers within ±tolerance, inclusive, and absorbs float noise', () => {
    expect(scoreAnswer(numeric, 3.14)).toBe(4);
    expect(scoreAnswer(numeric, 3.15)).toBe(4);
    expect(scoreAnswer(numeric, 3.13)).toBe(4);
    expect(scoreAnswer(numeric, 3.1501)).toBe(0);
    expect(scoreAnswer(exactNumeric, 0.1 + 0.2)).toBe(1);
    expect(scoreAnswer(exactNumeric, 0.31)).toBe(0);
  });

  it('matches text after trimming, ignoring case unless the question is case-sensitive', () => {
    expect(scoreAnswer(text, '  paris ')).toBe(2);
    expect(scoreAnswer(text, 'PARIS')).toBe(2);
    expect(scoreAnswer(text, 'Pariss')).toBe(0);
    expect(scoreAnswer(caseSensitiveText, ' NaCl')).toBe(2);
    expect(scoreAnswer(caseSensitiveText, 'nacl')).toBe(0);
  });

  it('leaves an answered essay to a person, and gives any unanswered question 0', () => {
    expect(scoreAnswer(essay, 'My essay')).toBeNull();
    expect(scoreAnswer(essay, undefined)).toBe(0);
    expect(scoreAnswer(single, undefined)).toBe(0);
  });
});

describe('autoGrade', () => {
  it('totals an all-objective attempt at once', () => {
    const result = autoGrade([single, multiple, text], { s: 1, m: [0], t: 'paris' });
    expect(result).toEqual({ questionScores: { s: 2, m: 1, t: 2 }, score: 5 });
  });

  it('has no total while an answered essay waits', () => {
    const result = autoGrade([single, essay], { s: 1, e: 'text' });
    expect(result).toEqual({ questionScores: { s: 2, e: null }, score: null });
  });

  it('totals an attempt whose essay was left unanswered', () => {
    expect(autoGrade([single, essay], { s: 0 })).toEqual({ questionScores: { s: 0, e: 0 }, score: 0 });
  });
});

describe('totals', () => {
  it('sums question scores without float noise', () => {
    expect(totalScore({ a: 0.1, b: 0.2 })).toBe(0.3);
    expect(totalScore({ a: 1, b: null })).toBeNull();
    expect(maxScoreOf([single, multiple, essay])).toBe(15);
  });
});
