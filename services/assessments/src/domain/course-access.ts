import type { AuthContext } from '@moocflix/platform-http/auth';
import { problems } from '@moocflix/platform-core/errors';
import { courseAccess, type CourseUse, type EnrollmentStatus } from '@moocflix/platform-bus/projections';

export type Caller = Pick<AuthContext, 'userId' | 'role'>;
export type { EnrollmentStatus } from '@moocflix/platform-bus/projections';

/** What this service knows about a course and the caller's place in it (from the courses service's events). */
export interface CourseStanding {
  instructorId: string;
  /** An unpublished course exists only for its owner (and admins, who take no part in assessments). */
  published: boolean;
  deleted: boolean;
  /** The caller's enrollment; undefined when they never enrolled (or the event has not arrived yet). */
  callerEnrollment: EnrollmentStatus | undefined;
  /** What a 404 names once requireCourse has run (the route's object: 'Course', 'Assessment'). */
  notFoundAs?: string;
}

/** How a caller takes part in a course's assessments: its owner, or one of its active students. */
export type Participant = 'owner' | 'student';

export function participantOf(course: CourseStanding, caller: Caller): Participant | undefined {
  if (course.instructorId === caller.userId) return 'owner';
  return course.callerEnrollment === 'active' ? 'student' : undefined;
}

/** A course that is unknown here or deleted does not exist for this service (404). */
export function requireCourse(course: CourseStanding | undefined, what: string): CourseStanding {
  if (!course || course.deleted) throw problems.notFound(what);
  return { ...course, notFoundAs: what };
}

/**
 * The platform's access rule (docs/access-rules.md, courseAccess in the kit): an unpublished course
 * is 404 for anyone but its owner and admins — its enrolled students too — as in courses and content.
 */
function requireAccess(course: CourseStanding, caller: Caller, use: CourseUse): void {
  const decision = courseAccess(course, caller, course.callerEnrollment, use);
  if (decision === 'not-found') throw problems.notFound(course.notFoundAs ?? 'Course');
}

/** The owner or an active student of the course; anyone else gets 403. */
export function requireParticipant(course: CourseStanding, caller: Caller): Participant {
  requireAccess(course, caller, 'take-part');
  const participant = participantOf(course, caller);
  if (!participant)
    throw problems.forbidden('Only the course owner and its enrolled students may see its assessments');
  return participant;
}

export function requireOwner(course: CourseStanding, caller: Caller, action: string): void {
  requireAccess(course, caller, 'see');
  if (participantOf(course, caller) !== 'owner')
    throw problems.forbidden(`Only the course owner may ${action}`);
}

export function requireActiveStudent(course: CourseStanding, caller: Caller, action = 'submit'): void {
  requireAccess(course, caller, 'take-part');
  if (participantOf(course, caller) !== 'student')
    throw problems.forbidden(`Only students enrolled in the course may ${action}`);
}
