import { finalGrade } from './grading-method';
import { studentGrade } from './student-grade';

// Listed out of order on purpose: the rules go by attempt number, not by list position.
const attempts = [
  { attempt: 2, score: 9 },
  { attempt: 1, score: 4 },
  { attempt: 3, score: 6 },
];

describe('finalGrade', () => {
  it('applies each grading method over graded attempts', () => {
    expect(finalGrade('highest', attempts)).toBe(9);
    expect(finalGrade('latest', attempts)).toBe(6);
    expect(finalGrade('first', attempts)).toBe(4);
    expect(finalGrade('average', attempts)).toBe(6.3333);
  });

  it('is null without a graded attempt', () => {
    expect(finalGrade('highest', [])).toBeNull();
    expect(finalGrade('average', [])).toBeNull();
  });
});

describe('studentGrade', () => {
  const assessment = { gradingMethod: 'latest' as const, maxScore: 10, maxAttempts: 3 };

  it('ignores attempts still waiting for a grader, and counts every attempt used', () => {
    const grade = studentGrade(assessment, [
      { attempt: 1, status: 'graded', score: 5 },
      { attempt: 2, status: 'submitted', score: null },
    ]);
    expect(grade).toEqual({
      method: 'latest',
      score: 5,
      maxScore: 10,
      attemptsUsed: 2,
      attemptsRemaining: 1,
      pendingGrading: true,
    });
  });

  it('counts a started attempt never submitted (expired, or running) as used', () => {
    // Attempt 2 expired unsubmitted, attempt 3 was submitted: three used, none left.
    const grade = studentGrade(
      assessment,
      [
        { attempt: 1, status: 'graded', score: 4 },
        { attempt: 3, status: 'graded', score: 6 },
      ],
      3,
    );
    expect(grade).toMatchObject({ attemptsUsed: 3, attemptsRemaining: 0, score: 6 });
    // Attempt 2 started, still running: two used, one left.
    expect(studentGrade(assessment, [{ attempt: 1, status: 'graded', score: 4 }], 2)).toMatchObject({
      attemptsUsed: 2,
      attemptsRemaining: 1,
    });
  });

  it('reports unlimited attempts as null remaining, and no grade before any attempt', () => {
    expect(studentGrade({ ...assessment, maxAttempts: null }, [])).toEqual({
      method: 'latest',
      score: null,
      maxScore: 10,
      attemptsUsed: 0,
      attemptsRemaining: null,
      pendingGrading: false,
    });
  });
});
