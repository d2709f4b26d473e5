import { problems } from '@moocflix/platform-core/errors';
import type { AuthContext } from '@moocflix/platform-http/auth';
import { courseAccess } from '@moocflix/platform-bus/projections';
import type { Course } from './course';

export type Caller = Pick<AuthContext, 'userId' | 'role'>;

/**
 * What a caller may do to someone's course (course edits and deletion are for the owner
 * or an admin; module edits for the owner only; the enrollment list is the owner's, and an admin's
 * who operates the platform).
 */
export type CourseAction = 'update-course' | 'delete-course' | 'edit-modules' | 'list-enrollments';

const ADMIN_MAY: Record<CourseAction, boolean> = {
  'update-course': true,
  'delete-course': true,
  'edit-modules': false,
  'list-enrollments': true,
};

export const isOwner = (course: Pick<Course, 'instructorId'>, caller: Caller): boolean => course.instructorId === caller.userId;

/**
 * Published courses are public to every signed-in user; drafts only to their owner and admins — the
 * platform's rule (docs/access-rules.md), decided by the kit so content and assessments answer alike.
 * Deleted courses never reach here: every read filters them out.
 */
export function canSee(course: Pick<Course, 'published' | 'instructorId'>, caller: Caller): boolean {
  return courseAccess({ ...course, deleted: false }, caller, undefined, 'see') === 'allowed';
}

export function may(action: CourseAction, course: Pick<Course, 'instructorId'>, caller: Caller): boolean {
  return isOwner(course, caller) || (caller.role === 'admin' && ADMIN_MAY[action]);
}

/** The course if the caller may see it; 404 otherwise, so drafts don't reveal that they exist. */
export function requireVisible<C extends Pick<Course, 'published' | 'instructorId'>>(course: C | undefined, caller: Caller): C {
  if (!course || !canSee(course, caller)) throw problems.notFound('Course');
  return course;
}

/** 404 for a course the caller cannot see (as above), 403 for one they see but may not `action`. */
export function requireAllowed<C extends Pick<Course, 'published' | 'instructorId'>>(
  action: CourseAction,
  course: C | undefined,
  caller: Caller,
): C {
  const visible = requireVisible(course, caller);
  if (!may(action, visible, caller)) throw problems.forbidden(`Only the course's owner${ADMIN_MAY[action] ? ' or an admin' : ''} may do this`);
  return visible;
}
