import { withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { lockCourse } from '../data/course-repository';
import {
  countActiveSeats,
  findCourseAndStanding,
  findStudentStanding,
  saveActiveEnrollment,
  saveEnrollmentIfUnchanged,
  type StudentStanding,
} from '../data/enrollment-repository';
import type { Course } from './course';
import { canSee, requireVisible, type Caller } from './course-access';
import { studentEnrolledEvent, type Enrollment } from './enrollment';
import { enrollmentRefusal, REFUSAL_DETAILS } from './enrollment-rules';
import type { UseCaseContext } from './use-case-context';

export interface EnrollmentOutcome {
  enrollment: Enrollment;
  /** False when the student was already enrolled: nothing changed and no event was emitted. */
  created: boolean;
}

/**
 * The caller (a student; the router checks the role) enrolls in a published course.
 *
 * One set of rules (enrollmentRefusal), applied three ways, fastest first:
 * 1. A course remembered from an earlier enrollment (RecentCourses) that lets the caller in
 *    (visible, no capacity, window open): ONE guarded statement writes the enrollment and its event,
 *    only if the course is still at the remembered version and the student is neither deactivated
 *    nor already enrolled (saveEnrollmentIfUnchanged). One round trip: an enrollment wave's case.
 * 2. Otherwise, or if that wrote nothing: one read of the course and the student's standing, the
 *    decision, and for a course without capacity the same guarded statement. Two round trips.
 * 3. Courses with a capacity, and anything that changed in between: the whole decision again under
 *    the course's row lock, so concurrent requests for the last seat are serialised and exactly one
 *    wins, and a repeated request finds the first one's row (one row, one Student-Enrolled event).
 * The users projection may lag behind signup, so an unknown user is NOT refused — the verified
 * token is authoritative; only a user known to be deactivated is.
 */
export async function enrollStudent(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
): Promise<EnrollmentOutcome> {
  const remembered = ctx.recentCourses.get(courseId);
  if (remembered && letsInWithoutCounting(remembered, caller, ctx.now())) {
    const enrollment = await enrollIfUnchanged(ctx, remembered, caller.userId);
    if (enrollment) return { enrollment, created: true };
  }

  const seen = await findCourseAndStanding(ctx.pool, courseId, caller.userId);
  if (seen) ctx.recentCourses.remember(seen.course);
  else ctx.recentCourses.forget(courseId);
  const course = requireVisible(seen?.course, caller);
  const early = decideWithoutSeats(course, seen!.standing, ctx.now());
  if (early) return early;
  if (course.capacity === null) {
    const enrollment = await enrollIfUnchanged(ctx, course, caller.userId);
    if (enrollment) return { enrollment, created: true };
  }
  return enrollUnderCourseLock(ctx, caller, courseId);
}

/** The course lets the caller in without counting seats: visible to them, unlimited, window open. */
function letsInWithoutCounting(course: Course, caller: Caller, now: Date): boolean {
  return canSee(course, caller) && course.capacity === null && enrollmentRefusal(course, 0, now) === null;
}

/** The enrollment and its event in one guarded statement; undefined if `course` is no longer current. */
function enrollIfUnchanged(
  ctx: UseCaseContext,
  course: Course,
  studentId: string,
): Promise<Enrollment | undefined> {
  const enrolledAt = ctx.now();
  return saveEnrollmentIfUnchanged(
    ctx.pool,
    { courseId: course.id, courseVersion: course.version, studentId, enrolledAt },
    {
      source: ctx.eventSource,
      data: studentEnrolledEvent(
        { courseId: course.id, studentId, status: 'active', enrolledAt },
        course.instructorId,
      ),
    },
  );
}

async function enrollUnderCourseLock(
  ctx: UseCaseContext,
  caller: Caller,
  courseId: string,
): Promise<EnrollmentOutcome> {
  return withTransaction(ctx.pool, async (tx) => {
    const course = requireVisible(await lockCourse(tx, courseId), caller);
    const standing = await findStudentStanding(tx, courseId, caller.userId);
    const now = ctx.now();
    const early = decideWithoutSeats(course, standing, now);
    if (early) return early;
    // Counting is only needed when seats are limited: the common unlimited case saves a query.
    const seatsTaken = course.capacity === null ? 0 : await countActiveSeats(tx, courseId);
    refuseIf(enrollmentRefusal(course, seatsTaken, now));
    const enrollment = await saveActiveEnrollment(tx, courseId, caller.userId);
    await enqueueEvent(tx, Topics.StudentEnrolled, {
      source: ctx.eventSource,
      subject: courseId,
      data: studentEnrolledEvent(enrollment, course.instructorId),
    });
    return { enrollment, created: true };
  });
}

/**
 * What can be decided before seats are counted: a deactivated student is refused, an enrolled one
 * gets their enrollment back (idempotent), a closed window is refused. Undefined: go on.
 */
function decideWithoutSeats(
  course: Course,
  standing: StudentStanding,
  now: Date,
): EnrollmentOutcome | undefined {
  if (standing.accountStatus === 'deactivated') {
    throw problems.conflict(REFUSAL_DETAILS['student-deactivated'], 'student-deactivated');
  }
  if (standing.enrollment?.status === 'active') return { enrollment: standing.enrollment, created: false };
  // Seats are checked later (under the lock); here only the window can refuse.
  refuseIf(enrollmentRefusal({ ...course, capacity: null }, 0, now));
  return undefined;
}

function refuseIf(refusal: ReturnType<typeof enrollmentRefusal>): void {
  if (refusal) throw problems.conflict(REFUSAL_DETAILS[refusal], refusal);
}
