import type { PoolClient } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { lockEnrollment } from '@moocflix/platform-bus/projections';
import { findAttemptHistory } from '../data/attempt-repository';
import type { AttemptHistory } from './attempt';
import type { Assessment } from './assessment';

/**
 * Takes the student's enrollment row lock, then reads their attempts under it. Starts and submits of
 * one student take this same lock, so they apply one after the other: two concurrent starts make one
 * attempt, concurrent submits cannot exceed maxAttempts, and a submit never ends an attempt being
 * replaced. 403 if the enrollment stopped being active since the caller was checked.
 */
export async function lockAttemptHistory(
  tx: PoolClient,
  assessment: Pick<Assessment, 'id' | 'courseId'>,
  studentId: string,
  action: string,
): Promise<AttemptHistory> {
  if ((await lockEnrollment(tx, assessment.courseId, studentId)) !== 'active') {
    throw problems.forbidden(`Only students enrolled in the course may ${action}`);
  }
  return findAttemptHistory(tx, assessment.id, studentId);
}
