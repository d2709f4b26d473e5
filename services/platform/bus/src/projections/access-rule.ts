/**
 * The platform's one access rule for a course and what hangs off it (docs/access-rules.md). Every
 * service decides with it: courses from its own tables, content, assessments and notifications from
 * the course projection. Inputs are what each service knows; the answer is the HTTP outcome.
 *
 * - A course that is deleted, or not known here, does not exist: 404 for everyone, admins included.
 * - An unpublished course (a draft, or one its owner withdrew) exists only for its owner and admins:
 *   404 for anyone else — students enrolled in it too — so a draft never reveals itself.
 * - A published course is public to every signed-in user (catalogue, page, modules); its content
 *   (videos) is for its owner, admins and students whose enrollment is active; its assessments are
 *   between its owner and its active students (admins moderate courses, they do not read answers
 *   and grades). Anyone else gets 403: the course is visible, the right is missing.
 * - An ended (inactive) enrollment counts as none. A deactivated user has no valid token (401
 *   before any of this runs) and their enrollments are made inactive.
 */
export type CourseUse =
  /** catalogue entry, course page, module list, enrolling (a student's own right is checked by the use case) */
  | 'see'
  /** videos: metadata, stream, segments, poster */
  | 'watch'
  /** assessments: list, read, attempt, submit, results */
  | 'take-part'
  /** edit the course or its content, upload, transcode */
  | 'manage';

export type AccessDecision = 'allowed' | 'not-found' | 'forbidden';

export interface CourseFacts {
  instructorId: string;
  /** A course known only from an enrollment (its own event not here yet) counts as published: enrolling needed it visible. */
  published: boolean;
  deleted: boolean;
}

export interface AccessCaller {
  userId: string;
  role: 'student' | 'instructor' | 'admin' | string;
}

export type CallerEnrollment = 'active' | 'inactive' | undefined;

export function courseAccess(
  course: CourseFacts | undefined,
  caller: AccessCaller,
  enrollment: CallerEnrollment,
  use: CourseUse,
): AccessDecision {
  if (!course || course.deleted) return 'not-found';
  const owner = course.instructorId === caller.userId;
  const admin = caller.role === 'admin';
  if (!course.published && !owner && !admin) return 'not-found';
  const activeStudent = enrollment === 'active';
  switch (use) {
    case 'see':
      return 'allowed';
    case 'watch':
      return owner || admin || activeStudent ? 'allowed' : 'forbidden';
    case 'take-part':
      return owner || activeStudent ? 'allowed' : 'forbidden';
    case 'manage':
      return owner || admin ? 'allowed' : 'forbidden';
  }
}

export type CallerKind = 'owner' | 'admin' | 'active student' | 'inactive student' | 'other user';
export type CourseState = 'published' | 'unpublished' | 'deleted' | 'unknown';

/**
 * The rule as a table, for tests and docs: ACCESS_RULE[state][kind][use]. Derived from courseAccess
 * once here so that a test over a service's routes asserts the same table the docs print.
 */
export const CALLER_KINDS: readonly CallerKind[] = [
  'owner',
  'admin',
  'active student',
  'inactive student',
  'other user',
];
export const COURSE_STATES: readonly CourseState[] = ['published', 'unpublished', 'deleted', 'unknown'];
export const COURSE_USES: readonly CourseUse[] = ['see', 'watch', 'take-part', 'manage'];

export function expectedAccess(state: CourseState, kind: CallerKind, use: CourseUse): AccessDecision {
  const course: CourseFacts | undefined =
    state === 'unknown'
      ? undefined
      : { instructorId: 'owner', published: state !== 'unpublished', deleted: state === 'deleted' };
  const caller: AccessCaller = {
    userId: kind === 'owner' ? 'owner' : 'someone',
    role: kind === 'admin' ? 'admin' : kind === 'owner' ? 'instructor' : 'student',
  };
  const enrollment: CallerEnrollment =
    kind === 'active student' ? 'active' : kind === 'inactive student' ? 'inactive' : undefined;
  return courseAccess(course, caller, enrollment, use);
}

/** The HTTP status of a decision on a route whose success is `okStatus`. */
export const statusOf = (decision: AccessDecision, okStatus = 200): number =>
  decision === 'allowed' ? okStatus : decision === 'not-found' ? 404 : 403;
