import { withTransaction } from '@moocflix/platform/db';
import { problems } from '@moocflix/platform/errors';
import { enqueueEvent, Topics } from '@moocflix/platform/events';
import { lockCourse } from '../data/course-repository';
import { countActiveSeats, findStudentStanding, saveActiveEnrollment } from '../data/enrollment-repository';
import { requireVisible, type Caller } from './course-access';
import { studentEnrolledEvent, type Enrollment } from './enrollment';
import { enrollmentRefusal, REFUSAL_DETAILS } from './enrollment-rules';
import type { UseCaseContext } from './use-case-context';

export interface EnrollmentOutcome {
  enrollment: Enrollment;
  /** False when the student was already enrolled: nothing changed and no event was emitted. */
  created: boolean;
}

/**
 * The caller (a student; the router checks the role) enrolls in a published course. Runs under the
 * course's row lock, so concurrent requests for the last seat are serialised and exactly one wins,
 * and a repeated request finds the first one's row (one row, one Student-Enrolled event).
 * The users projection may lag behind signup, so an unknown user is NOT refused — the verified
 * token is authoritative; only a user known to be deactivated is.
 */
export async function enrollStudent(ctx: UseCaseContext, caller: Caller, courseId: string): Promise<EnrollmentOutcome> {
  return withTransaction(ctx.pool, async (tx) => {
    const course = requireVisible(await lockCourse(tx, courseId), caller);
    const standing = await findStudentStanding(tx, courseId, caller.userId);
    if (standing.accountStatus === 'deactivated') {
      throw problems.conflict(REFUSAL_DETAILS['student-deactivated'], 'student-deactivated');
    }
    if (standing.enrollment?.status === 'active') return { enrollment: standing.enrollment, created: false };
    // Counting is only needed when seats are limited: the common unlimited case saves a query.
    const seatsTaken = course.capacity === null ? 0 : await countActiveSeats(tx, courseId);
    const refusal = enrollmentRefusal(course, seatsTaken, ctx.now());
    if (refusal) throw problems.conflict(REFUSAL_DETAILS[refusal], refusal);
    const enrollment = await saveActiveEnrollment(tx, courseId, caller.userId);
    await enqueueEvent(tx, Topics.StudentEnrolled, {
      source: ctx.eventSource,
      subject: courseId,
      data: studentEnrolledEvent(enrollment, course.instructorId),
    });
    return { enrollment, created: true };
  });
}
