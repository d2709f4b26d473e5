import { resultStats } from './result-stats';

describe('resultStats', () => {
  it('gives mean, median (middle pair averaged) and completion', () => {
    expect(
      resultStats({ finalGrades: [8, 2, 6, 4], enrolledStudents: 5, submittedStudents: 4, maxScore: 10 }),
    ).toEqual({
      enrolledStudents: 5,
      submittedStudents: 4,
      completion: 0.8,
      gradedStudents: 4,
      mean: 5,
      median: 5,
      maxScore: 10,
    });
    expect(
      resultStats({ finalGrades: [9, 1, 3], enrolledStudents: 3, submittedStudents: 3, maxScore: 10 }),
    ).toMatchObject({
      mean: 4.3333,
      median: 3,
      completion: 1,
    });
  });

  it('has no mean or median before anyone is graded, and no completion for an empty course', () => {
    expect(
      resultStats({ finalGrades: [], enrolledStudents: 0, submittedStudents: 0, maxScore: 10 }),
    ).toMatchObject({
      completion: null,
      gradedStudents: 0,
      mean: null,
      median: null,
    });
  });
});
