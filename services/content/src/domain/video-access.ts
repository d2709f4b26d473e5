import type { AuthContext } from '@moocflix/platform/auth';
import { problems } from '@moocflix/platform/errors';
import type { EnrollmentStatus, ProjectedCourse } from '@moocflix/platform/projections';

export type Caller = Pick<AuthContext, 'userId' | 'role'>;

/** What this service knows about a course, from Course-* events (the kit's course projection). */
export type KnownCourse = ProjectedCourse;

/**
 * Who may do what with a course's videos (issue 5):
 * - manage (upload, transcode): the course's owner, or an admin;
 * - watch (metadata, stream, segments, poster): those, plus students with an ACTIVE enrollment.
 * A deleted course's videos are left to admins.
 */
export function mayManage(course: KnownCourse | undefined, caller: Caller): boolean {
  if (caller.role === 'admin') return true;
  return course !== undefined && !course.deleted && course.instructorId === caller.userId;
}

export function mayWatch(
  course: KnownCourse | undefined,
  enrollment: EnrollmentStatus | undefined,
  caller: Caller,
): boolean {
  if (mayManage(course, caller)) return true;
  return course !== undefined && !course.deleted && enrollment === 'active';
}

/**
 * The upload gate. A course this service has not heard of (never created, deleted, or created a
 * moment ago and its Course-Creation event not consumed yet) is 404: the client cannot tell a lagging
 * projection from a typo either way, and 404 says "retry shortly / check the id" better than 403,
 * which would claim the caller lacks a right they may well have. A known course of someone else: 403.
 */
export function requireUploadAllowed(course: KnownCourse | undefined, caller: Caller): KnownCourse {
  if (!course || course.deleted) {
    throw problems.notFound('Course');
  }
  if (!mayManage(course, caller))
    throw problems.forbidden("Only the course's owner or an admin may upload videos to it");
  return course;
}

export function requireManageAllowed(course: KnownCourse | undefined, caller: Caller): void {
  if (!mayManage(course, caller)) throw problems.forbidden("Only the course's owner or an admin may do this");
}

export function requireWatchAllowed(
  course: KnownCourse | undefined,
  enrollment: EnrollmentStatus | undefined,
  caller: Caller,
): void {
  if (!mayWatch(course, enrollment, caller)) {
    throw problems.forbidden(
      "Only the course's owner, admins and students enrolled in the course may watch its videos",
    );
  }
}
