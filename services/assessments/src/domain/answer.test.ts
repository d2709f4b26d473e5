import { findAnswerErrors, MAX_TEXT_ANSWER_LENGTH } from './answer';
import type { Question } from './question';

const questions: Question[] = [
  { id: 's', kind: 'single', prompt: 'Pick', points: 1, options: ['a', 'b'], correct: 0 },
  { id: 'm', kind: 'multiple', prompt: 'Pick all', points: 1, options: ['a', 'b', 'c'], correct: [0, 1] },
  { id: 'b', kind: 'boolean', prompt: 'True?', points: 1, correct: true },
  { id: 'n', kind: 'numeric', prompt: 'Number?', points: 1, correct: 1, tolerance: 0 },
  { id: 't', kind: 'text', prompt: 'Word?', points: 1, correct: 'x', caseSensitive: false },
  { id: 'e', kind: 'essay', prompt: 'Essay', points: 1 },
];

const errorPaths = (answers: Record<string, unknown>) =>
  findAnswerErrors(questions, answers).map((e) => e.path);

describe('findAnswerErrors', () => {
  it('accepts well-shaped answers, and unanswered questions', () => {
    expect(
      findAnswerErrors(questions, { s: 1, m: [2, 0], b: false, n: -2.5, t: 'word', e: 'An essay' }),
    ).toEqual([]);
    expect(findAnswerErrors(questions, { m: [] })).toEqual([]);
    expect(findAnswerErrors(questions, {})).toEqual([]);
  });

  it('refuses an id that is not a question of the assessment', () => {
    expect(findAnswerErrors(questions, { nope: 1 })).toEqual([
      { path: 'body.answers.nope', message: 'not a question of this assessment' },
    ]);
  });

  it('refuses a value of the wrong type for its question kind', () => {
    expect(errorPaths({ s: '1', m: 1, b: 'true', n: '3', t: 3, e: ['essay'] })).toEqual([
      'body.answers.s',
      'body.answers.m',
      'body.answers.b',
      'body.answers.n',
      'body.answers.t',
      'body.answers.e',
    ]);
  });

  it('refuses option indexes out of range, fractional or repeated', () => {
    expect(errorPaths({ s: 2 })).toEqual(['body.answers.s']);
    expect(errorPaths({ s: -1 })).toEqual(['body.answers.s']);
    expect(errorPaths({ s: 0.5 })).toEqual(['body.answers.s']);
    expect(errorPaths({ m: [0, 3] })).toEqual(['body.answers.m']);
    expect(findAnswerErrors(questions, { m: [1, 1] })).toEqual([
      { path: 'body.answers.m', message: 'must not select an option twice' },
    ]);
  });

  it('refuses NUL characters, which PostgreSQL cannot store', () => {
    expect(findAnswerErrors(questions, { t: 'a\u0000', e: '\u0000' })).toEqual([
      { path: 'body.answers.t', message: 'must not contain NUL characters' },
      { path: 'body.answers.e', message: 'must not contain NUL characters' },
    ]);
  });

  it('refuses null answers and over-long texts', () => {
    expect(errorPaths({ b: null, n: null })).toEqual(['body.answers.b', 'body.answers.n']);
    expect(errorPaths({ t: 'x'.repeat(MAX_TEXT_ANSWER_LENGTH + 1) })).toEqual(['body.answers.t']);
  });
});
