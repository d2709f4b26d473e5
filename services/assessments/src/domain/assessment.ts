import type { EventData, Topics } from '@moocflix/platform-bus';
import type { GradingMethod } from './grading-method';
import { toStudentQuestion, type Question, type StudentQuestion } from './question';

export const ASSESSMENT_TYPES = ['quiz', 'assignment'] as const;
export type AssessmentType = (typeof ASSESSMENT_TYPES)[number];

export interface Assessment {
  id: string;
  courseId: string;
  /** The course owner who created it. */
  createdBy: string;
  title: string;
  type: AssessmentType;
  /** Submissions after this instant are refused; null = no deadline. */
  dueAt: Date | null;
  /** null = unlimited. */
  maxAttempts: number | null;
  gradingMethod: GradingMethod;
  /** Enforced: an attempt is started on the server and must be submitted within it (see attempt.ts); null = untimed. */
  timeLimitSeconds: number | null;
  questions: Question[];
  maxScore: number;
  createdAt: Date;
}

/** What the course owner sees: everything, answer keys included. */
export type OwnerAssessmentView = Assessment;

/** What an enrolled student sees: the same, with every question stripped of its answer key. */
export type StudentAssessmentView = Omit<Assessment, 'questions'> & { questions: StudentQuestion[] };

/** A list entry: no questions at all (so no answer key either), their count instead. */
export type AssessmentSummary = Omit<Assessment, 'questions'> & { questionCount: number };

export const toStudentView = (assessment: Assessment): StudentAssessmentView => ({
  ...assessment,
  questions: assessment.questions.map(toStudentQuestion),
});

export function toSummary(assessment: Assessment): AssessmentSummary {
  const { questions, ...rest } = assessment;
  return { ...rest, questionCount: questions.length };
}

export const hasManuallyGradedQuestions = (assessment: Pick<Assessment, 'questions'>): boolean =>
  assessment.questions.some((q) => q.kind === 'essay');

export function assessmentCreationEvent(
  assessment: Assessment,
  instructorId: string,
): EventData<typeof Topics.AssessmentCreation> {
  return {
    assessmentId: assessment.id,
    courseId: assessment.courseId,
    instructorId,
    title: assessment.title,
    type: assessment.type,
    dueAt: assessment.dueAt?.toISOString() ?? null,
    createdAt: assessment.createdAt.toISOString(),
  };
}
