import { withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { recordGradeEvent } from '../data/grade-event-repository';
import { lockSubmission, saveGrade } from '../data/submission-repository';
import { requireOwner, type Caller } from './course-access';
import { loadAssessment } from './get-assessment';
import { applyManualGrade, type GradeDecision } from './manual-grading';
import { gradingCompletedEvent, type Submission } from './submission';
import type { UseCaseContext } from './use-case-context';

/**
 * The course owner grades a submission, or regrades it: every decision is kept in grade_events with
 * the score it replaced, and each one emits Grading-Completed so the student hears of it.
 */
export async function gradeSubmission(
  ctx: UseCaseContext,
  caller: Caller,
  ids: { assessmentId: string; submissionId: string },
  decision: GradeDecision,
): Promise<Submission> {
  const { assessment, course } = await loadAssessment(ctx, caller, ids.assessmentId);
  requireOwner(course, caller, 'grade submissions');
  return withTransaction(ctx.pool, async (tx) => {
    const current = await lockSubmission(tx, assessment.id, ids.submissionId);
    if (!current) throw problems.notFound('Submission');
    const grade = applyManualGrade(assessment.questions, assessment.maxScore, current, decision);
    const gradedAt = ctx.now();
    const submission = await saveGrade(tx, current.id, { ...grade, gradedAt, gradedBy: caller.userId });
    await recordGradeEvent(tx, {
      submissionId: current.id,
      gradedBy: caller.userId,
      previousScore: current.score,
      ...grade,
      gradedAt,
    });
    await enqueueEvent(tx, Topics.GradingCompleted, {
      source: ctx.eventSource,
      subject: assessment.id,
      data: gradingCompletedEvent(submission, assessment),
    });
    return submission;
  });
}
