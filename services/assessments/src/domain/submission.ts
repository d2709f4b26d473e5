import type { EventData, Topics } from '@moocflix/platform-bus';
import type { Answers } from './answer';
import type { Assessment } from './assessment';
import type { QuestionScores } from './auto-grading';

export type SubmissionStatus = 'submitted' | 'graded';

/**
 * One attempt of a student. It carries the student's own answers and the points each
 * earned, never the answer keys, so the same shape serves the student and the course owner.
 */
export interface Submission {
  id: string;
  assessmentId: string;
  studentId: string;
  attempt: number;
  /** graded once every question has a score (at submit when there is no answered essay). */
  status: SubmissionStatus;
  score: number | null;
  maxScore: number;
  answers: Answers;
  questionScores: QuestionScores;
  feedback: string | null;
  submittedAt: Date;
  gradedAt: Date | null;
  /** The grader's user id, or AUTO_GRADER. */
  gradedBy: string | null;
}

/** `gradedBy` of a submission graded entirely at submit time. */
export const AUTO_GRADER = 'auto-grader';

export function submissionCompletedEvent(
  submission: Submission,
  assessment: Pick<Assessment, 'courseId' | 'title'>,
  instructorId: string,
): EventData<typeof Topics.SubmissionCompleted> {
  return {
    submissionId: submission.id,
    assessmentId: submission.assessmentId,
    courseId: assessment.courseId,
    studentId: submission.studentId,
    instructorId,
    title: assessment.title,
    attempt: submission.attempt,
    status: submission.status,
    score: submission.score,
    maxScore: submission.maxScore,
    submittedAt: submission.submittedAt.toISOString(),
  };
}

/** Only for a graded submission (score and gradedAt set). */
export function gradingCompletedEvent(
  submission: Submission,
  assessment: Pick<Assessment, 'courseId' | 'title'>,
): EventData<typeof Topics.GradingCompleted> {
  if (submission.score === null || submission.gradedAt === null || submission.gradedBy === null) {
    throw new Error(`Submission ${submission.id} is not graded`);
  }
  return {
    submissionId: submission.id,
    assessmentId: submission.assessmentId,
    courseId: assessment.courseId,
    studentId: submission.studentId,
    title: assessment.title,
    score: submission.score,
    maxScore: submission.maxScore,
    feedback: submission.feedback,
    gradedBy: submission.gradedBy,
    gradedAt: submission.gradedAt.toISOString(),
  };
}
