import { randomUUID } from 'node:crypto';
import { withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { recordGradeEvent } from '../data/grade-event-repository';
import { linkSubmission } from '../data/attempt-repository';
import { insertSubmission } from '../data/submission-repository';
import { findAnswerErrors, type Answers } from './answer';
import { submitDecision } from './attempt';
import { lockAttemptHistory } from './attempt-lock';
import { autoGrade } from './auto-grading';
import { requireActiveStudent, type Caller } from './course-access';
import { loadAssessment } from './get-assessment';
import { AUTO_GRADER, gradingCompletedEvent, submissionCompletedEvent, type Submission } from './submission';
import { refusalProblem } from './submission-rules';
import type { UseCaseContext } from './use-case-context';

/**
 * An enrolled student submits an attempt. Answers are checked against the questions (400), then the
 * due date (422 past-due), the time limit (409 attempt-not-started, 422 time-limit-exceeded) and the
 * attempt limit (409 attempts-exhausted). The submission ends the student's open started attempt and
 * takes its number (required with a time limit, optional without). Objective questions are graded at
 * once; without an answered essay the attempt is graded on the spot. Submission-Completed (for the
 * instructor) and, when graded, Grading-Completed (for the student) commit with the row.
 */
export async function submitAnswers(
  ctx: UseCaseContext,
  caller: Caller,
  assessmentId: string,
  answers: Record<string, unknown>,
): Promise<Submission> {
  const { assessment, course } = await loadAssessment(ctx, caller, assessmentId);
  requireActiveStudent(course, caller);
  const errors = findAnswerErrors(assessment.questions, answers);
  if (errors.length > 0)
    throw problems.badRequest(errors.map((e) => `${e.path} ${e.message}`).join('; '), errors);
  const validAnswers = answers as Answers;

  return withTransaction(ctx.pool, async (tx) => {
    const history = await lockAttemptHistory(tx, assessment, caller.userId, 'submit');
    const now = ctx.now();
    const decision = submitDecision(assessment, history, now);
    if (decision.kind === 'refuse') throw refusalProblem(decision.refusal);

    const { questionScores, score } = autoGrade(assessment.questions, validAnswers);
    const graded = score !== null;
    const submission = await insertSubmission(tx, {
      id: randomUUID(),
      assessmentId: assessment.id,
      studentId: caller.userId,
      attempt: decision.attempt,
      status: graded ? 'graded' : 'submitted',
      score,
      maxScore: assessment.maxScore,
      answers: validAnswers,
      questionScores,
      feedback: null,
      submittedAt: now,
      gradedAt: graded ? now : null,
      gradedBy: graded ? AUTO_GRADER : null,
    });
    if (decision.started) await linkSubmission(tx, decision.started, submission.id);
    const event = { source: ctx.eventSource, subject: assessment.id };
    await enqueueEvent(tx, Topics.SubmissionCompleted, {
      ...event,
      data: submissionCompletedEvent(submission, assessment, course.instructorId),
    });
    if (graded) {
      await recordGradeEvent(tx, {
        submissionId: submission.id,
        gradedBy: AUTO_GRADER,
        previousScore: null,
        score,
        questionScores,
        feedback: null,
        gradedAt: now,
      });
      await enqueueEvent(tx, Topics.GradingCompleted, {
        ...event,
        data: gradingCompletedEvent(submission, assessment),
      });
    }
    return submission;
  });
}
