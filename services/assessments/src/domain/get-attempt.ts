import { problems } from '@moocflix/platform-core/errors';
import { findAttempt } from '../data/attempt-repository';
import { toAttemptView, type AttemptView } from './attempt';
import { requireActiveStudent, type Caller } from './course-access';
import { loadAssessment } from './get-assessment';
import type { UseCaseContext } from './use-case-context';

/**
 * A student reads one of their own attempts (a client reloading the page gets its timer back).
 * Attempt numbers are per student, so only the student who started it can name it: anyone else,
 * the course owner included, gets 403.
 */
export async function getOwnAttempt(
  ctx: UseCaseContext,
  caller: Caller,
  assessmentId: string,
  attempt: number,
): Promise<AttemptView> {
  const { assessment, course } = await loadAssessment(ctx, caller, assessmentId);
  requireActiveStudent(course, caller, 'read their attempts');
  const found = await findAttempt(ctx.pool, assessment.id, caller.userId, attempt);
  if (!found) throw problems.notFound('Attempt');
  return toAttemptView(found);
}
