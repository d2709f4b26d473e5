import { roundScore } from './auto-grading';

export interface ResultStats {
  /** Students actively enrolled in the course. */
  enrolledStudents: number;
  /** Actively enrolled students with at least one submission. */
  submittedStudents: number;
  /** submittedStudents / enrolledStudents; null for a course with nobody enrolled. */
  completion: number | null;
  /** Students with a final grade (at least one graded attempt), enrolled or not anymore. */
  gradedStudents: number;
  /** Mean and median of those final grades, in points; null when nobody is graded yet. */
  mean: number | null;
  median: number | null;
  maxScore: number;
}

export function resultStats(input: {
  finalGrades: readonly number[];
  enrolledStudents: number;
  submittedStudents: number;
  maxScore: number;
}): ResultStats {
  const { finalGrades, enrolledStudents, submittedStudents, maxScore } = input;
  return {
    enrolledStudents,
    submittedStudents,
    completion: enrolledStudents === 0 ? null : roundScore(submittedStudents / enrolledStudents),
    gradedStudents: finalGrades.length,
    mean:
      finalGrades.length === 0
        ? null
        : roundScore(finalGrades.reduce((sum, g) => sum + g, 0) / finalGrades.length),
    median: median(finalGrades),
    maxScore,
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : roundScore((sorted[middle - 1]! + sorted[middle]!) / 2);
}
