import { randomUUID } from 'node:crypto';

/** Answer keys a student cannot guess, so their appearance anywhere in a response is a leak. */
export function secretKeys() {
  return { word: `zanzibar${randomUUID().slice(0, 8)}`, number: 271828.1828 };
}

/** One question of every objective kind; 10 points in all. */
export function objectiveQuestions(secrets: { word: string; number: number }) {
  return [
    { kind: 'single', prompt: '2 + 2?', points: 2, options: ['3', '4', '5'], correct: 1 },
    {
      kind: 'multiple',
      prompt: 'Which are prime?',
      points: 3,
      options: ['2', '3', '4', '5'],
      correct: [0, 1, 3],
    },
    { kind: 'boolean', prompt: 'The sky is green.', points: 1, correct: false },
    { kind: 'numeric', prompt: 'e × 100000?', points: 2, correct: secrets.number, tolerance: 0.5 },
    { kind: 'text', prompt: 'The secret word?', points: 2, correct: secrets.word },
  ];
}

export const essayQuestion = { kind: 'essay', prompt: 'Discuss the halting problem.', points: 10 };
