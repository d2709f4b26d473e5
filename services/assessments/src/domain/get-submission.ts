import { problems } from '@moocflix/platform-core/errors';
import { findSubmission } from '../data/submission-repository';
import { requireParticipant, type Caller } from './course-access';
import { loadAssessment } from './get-assessment';
import type { Submission } from './submission';
import type { UseCaseContext } from './use-case-context';

/**
 * One attempt, for the course owner (who reads essays here before grading) and for the enrolled
 * student who made it. Anyone outside the course gets 403; another student of the course gets 404,
 * as if the id did not exist.
 */
export async function getSubmission(
  ctx: UseCaseContext,
  caller: Caller,
  ids: { assessmentId: string; submissionId: string },
): Promise<Submission> {
  const { course } = await loadAssessment(ctx, caller, ids.assessmentId);
  const participant = requireParticipant(course, caller);
  const submission = await findSubmission(ctx.pool, ids.assessmentId, ids.submissionId);
  if (!submission || (participant === 'student' && submission.studentId !== caller.userId))
    throw problems.notFound('Submission');
  return submission;
}
