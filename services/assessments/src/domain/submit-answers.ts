import { randomUUID } from 'node:crypto';
import { withTransaction } from '@moocflix/platform/db';
import { problems } from '@moocflix/platform/errors';
import { enqueueEvent, Topics } from '@moocflix/platform/events';
import { lockEnrollment } from '@moocflix/platform/projections';
import { recordGradeEvent } from '../data/grade-event-repository';
import { countAttempts, insertSubmission } from '../data/submission-repository';
import { findAnswerErrors, type Answers } from './answer';
import { autoGrade } from './auto-grading';
import { requireActiveStudent, type Caller } from './course-access';
import { loadAssessment } from './get-assessment';
import { AUTO_GRADER, gradingCompletedEvent, submissionCompletedEvent, type Submission } from './submission';
import { REFUSAL_DETAILS, submissionRefusal, type SubmissionRefusal } from './submission-rules';
import type { UseCaseContext } from './use-case-context';

const REFUSAL_STATUS: Record<SubmissionRefusal, 'conflict' | 'unprocessable'> = {
  'attempts-exhausted': 'conflict',
  'past-due': 'unprocessable',
};

/**
 * An enrolled student submits an attempt. Answers are checked against the questions (400), then the
 * due date (422 past-due) and the attempt limit (409 attempts-exhausted). Objective questions are
 * graded at once; without an answered essay the attempt is graded on the spot. Submission-Completed
 * (for the instructor) and, when graded, Grading-Completed (for the student) commit with the row.
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
    // Serialises this student's submits to the course; the status may have changed since the read above.
    if ((await lockEnrollment(tx, assessment.courseId, caller.userId)) !== 'active') {
      throw problems.forbidden('Only students enrolled in the course may submit');
    }
    const attemptsUsed = await countAttempts(tx, assessment.id, caller.userId);
    const now = ctx.now();
    const refusal = submissionRefusal(assessment, attemptsUsed, now);
    if (refusal) throw problems[REFUSAL_STATUS[refusal]](REFUSAL_DETAILS[refusal], refusal);

    const { questionScores, score } = autoGrade(assessment.questions, validAnswers);
    const graded = score !== null;
    const submission = await insertSubmission(tx, {
      id: randomUUID(),
      assessmentId: assessment.id,
      studentId: caller.userId,
      attempt: attemptsUsed + 1,
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
