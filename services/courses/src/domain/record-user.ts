import type { PoolClient } from '@moocflix/platform-db';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { instructorsOf, setInstructorName } from '../data/course-repository';
import { deactivateStudentEnrollments } from '../data/enrollment-repository';
import { saveKnownUser, type KnownUser } from '../data/known-user-repository';
import { studentEnrolledEvent } from './enrollment';

/**
 * Keeps the local users projection current (from User-Creation / User-Update), and the name on
 * the user's courses with it. When a user is deactivated, their enrollments become inactive —
 * freeing their seats — and each change is announced as a Student-Enrolled event with status 'inactive', so services that grant access
 * from enrollment events (content, assessments) revoke it too. Runs in the consumer's transaction,
 * together with the record that the event was processed; deactivating twice changes nothing the
 * second time (only active enrollments are touched), so no event is emitted twice.
 */
export async function recordUser(tx: PoolClient, eventSource: string, user: KnownUser, asOf: Date): Promise<void> {
  const stored = await saveKnownUser(tx, user, asOf);
  if (!stored) return;
  // Their courses show the name they have now (the same transaction: never one without the other).
  await setInstructorName(tx, user.id, user.name);
  if (user.status !== 'deactivated') return;
  const deactivated = await deactivateStudentEnrollments(tx, user.id);
  if (deactivated.length === 0) return;
  const instructors = await instructorsOf(tx, deactivated.map((e) => e.courseId));
  for (const enrollment of deactivated) {
    await enqueueEvent(tx, Topics.StudentEnrolled, {
      source: eventSource,
      subject: enrollment.courseId,
      data: studentEnrolledEvent(enrollment, instructors.get(enrollment.courseId)!),
    });
  }
}
