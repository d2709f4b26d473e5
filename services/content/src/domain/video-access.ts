import type { AuthContext } from '@moocflix/platform-http/auth';
import { problems } from '@moocflix/platform-core/errors';
import { courseAccess, type EnrollmentStatus, type ProjectedCourse } from '@moocflix/platform-bus/projections';

export type Caller = Pick<AuthContext, 'userId' | 'role'>;

/** What this service knows about a course, from Course-* events (the kit's course projection). */
export type KnownCourse = ProjectedCourse;

/**
 * Who may do what with a course's videos: the platform's access rule (docs/access-rules.md,
 * courseAccess in the kit), so content answers as courses and assessments do:
 * - manage (upload, transcode): the course's owner, or an admin;
 * - watch (metadata, stream, segments, poster): those, plus students with an ACTIVE enrollment;
 * - a deleted course, one this service has not heard of, and an unpublished one for anyone but its
 *   owner and admins: 404 (it does not exist for them); a visible course without the right: 403.
 * An unknown course may also be one created a moment ago whose event is not consumed yet: the
 * client cannot tell a lagging projection from a typo either way, and 404 says "retry shortly /
 * check the id" better than 403, which would claim the caller lacks a right they may well have.
 */
export function mayManage(course: KnownCourse | undefined, caller: Caller): boolean {
  return courseAccess(course, caller, undefined, 'manage') === 'allowed';
}

export function mayWatch(
  course: KnownCourse | undefined,
  enrollment: EnrollmentStatus | undefined,
  caller: Caller,
): boolean {
  return courseAccess(course, caller, enrollment, 'watch') === 'allowed';
}

export function requireUploadAllowed(course: KnownCourse | undefined, caller: Caller): KnownCourse {
  requireManageAllowed(course, caller, { what: 'upload videos to it', missing: 'Course' });
  return course!;
}

/** 404 naming `missing` (the object of the route) when the course does not exist for the caller; 403 when they may not manage it. */
export function requireManageAllowed(
  course: KnownCourse | undefined,
  caller: Caller,
  { what = 'do this', missing = 'Video' }: { what?: string; missing?: string } = {},
): void {
  const decision = courseAccess(course, caller, undefined, 'manage');
  if (decision === 'not-found') throw problems.notFound(missing);
  if (decision === 'forbidden') throw problems.forbidden(`Only the course's owner or an admin may ${what}`);
}

/** The video's course decides: 404 (as the video) when the caller may not know the course, 403 when they may not watch. */
export function requireWatchAllowed(
  course: KnownCourse | undefined,
  enrollment: EnrollmentStatus | undefined,
  caller: Caller,
): void {
  const decision = courseAccess(course, caller, enrollment, 'watch');
  if (decision === 'not-found') throw problems.notFound('Video');
  if (decision === 'forbidden') {
    throw problems.forbidden(
      "Only the course's owner, admins and students enrolled in the course may watch its videos",
    );
  }
}
