import { withTransaction } from '@moocflix/platform-db';
import { insertAttempt } from '../data/attempt-repository';
import { startDecision, toAttemptView, type AttemptView } from './attempt';
import { lockAttemptHistory } from './attempt-lock';
import { requireActiveStudent, type Caller } from './course-access';
import { loadAssessment } from './get-assessment';
import { refusalProblem } from './submission-rules';
import type { UseCaseContext } from './use-case-context';

/**
 * An enrolled student starts an attempt: the server's clock for the time limit starts now. While the
 * latest attempt is open, starting again returns it (`created: false`). Otherwise the due date (422
 * past-due) and the attempt limit (409 attempts-exhausted) are checked as at submit, and the next
 * attempt number is taken.
 */
export async function startAttempt(
  ctx: UseCaseContext,
  caller: Caller,
  assessmentId: string,
): Promise<{ attempt: AttemptView; created: boolean }> {
  const { assessment, course } = await loadAssessment(ctx, caller, assessmentId);
  requireActiveStudent(course, caller, 'start attempts');

  return withTransaction(ctx.pool, async (tx) => {
    const history = await lockAttemptHistory(tx, assessment, caller.userId, 'start attempts');
    const now = ctx.now();
    const decision = startDecision(assessment, history, now);
    if (decision.kind === 'refuse') throw refusalProblem(decision.refusal);
    if (decision.kind === 'resume') return { attempt: toAttemptView(decision.attempt), created: false };
    const started = await insertAttempt(tx, {
      assessmentId: assessment.id,
      studentId: caller.userId,
      attempt: decision.attempt,
      startedAt: now,
      expiresAt: decision.expiresAt,
      submissionId: null,
    });
    return { attempt: toAttemptView(started), created: true };
  });
}
