import { problems } from '@moocflix/platform-core/errors';
import { findAssessmentWithCourse, type AssessmentWithCourse } from '../data/assessment-repository';
import { toStudentView, type OwnerAssessmentView, type StudentAssessmentView } from './assessment';
import {
  requireCourse,
  requireParticipant,
  type Caller,
  type CourseStanding,
  type Participant,
} from './course-access';
import type { UseCaseContext } from './use-case-context';

/** The assessment with its course; 404 when either is missing (a deleted course takes its assessments with it). */
export async function loadAssessment(
  ctx: UseCaseContext,
  caller: Caller,
  assessmentId: string,
): Promise<AssessmentWithCourse & { course: CourseStanding }> {
  const found = await findAssessmentWithCourse(ctx.pool, assessmentId, caller.userId);
  if (!found) throw problems.notFound('Assessment');
  return { assessment: found.assessment, course: requireCourse(found.course, 'Assessment') };
}

/** The owner sees everything; an enrolled student sees it without answer keys; anyone else 403. */
export async function getAssessment(
  ctx: UseCaseContext,
  caller: Caller,
  assessmentId: string,
): Promise<{ participant: Participant; view: OwnerAssessmentView | StudentAssessmentView }> {
  const { assessment, course } = await loadAssessment(ctx, caller, assessmentId);
  const participant = requireParticipant(course, caller);
  return { participant, view: participant === 'owner' ? assessment : toStudentView(assessment) };
}
