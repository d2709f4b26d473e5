import { randomUUID } from 'node:crypto';
import { withTransaction } from '@moocflix/platform-db';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { insertAssessment } from '../data/assessment-repository';
import { findCourseStanding } from '../data/course-projection-repository';
import { assessmentCreationEvent, type Assessment, type AssessmentType } from './assessment';
import { maxScoreOf } from './auto-grading';
import { requireCourse, requireOwner, type Caller } from './course-access';
import type { GradingMethod } from './grading-method';
import type { NewQuestion, Question } from './question';
import type { UseCaseContext } from './use-case-context';

export interface NewAssessment {
  courseId: string;
  title: string;
  type: AssessmentType;
  questions: NewQuestion[];
  dueAt: Date | null;
  maxAttempts: number | null;
  gradingMethod: GradingMethod;
  timeLimitSeconds: number | null;
}

/**
 * The course owner adds a quiz or an assignment to their course. The course is known from the
 * courses service's events; one created a moment ago may not have arrived yet (404 until it has).
 * The row and its Assessment-Creation event commit together.
 */
export async function createAssessment(
  ctx: UseCaseContext,
  caller: Caller,
  input: NewAssessment,
): Promise<Assessment> {
  return withTransaction(ctx.pool, async (tx) => {
    const course = requireCourse(await findCourseStanding(tx, input.courseId, caller.userId), 'Course');
    requireOwner(course, caller, 'create assessments for this course');
    const questions = input.questions.map((question) => ({ id: randomUUID(), ...question }) as Question);
    const assessment = await insertAssessment(tx, {
      ...input,
      id: randomUUID(),
      createdBy: caller.userId,
      questions,
      maxScore: maxScoreOf(questions),
      createdAt: ctx.now(),
    });
    await enqueueEvent(tx, Topics.AssessmentCreation, {
      source: ctx.eventSource,
      subject: assessment.id,
      data: assessmentCreationEvent(assessment, course.instructorId),
    });
    return assessment;
  });
}
