import { HttpProblem } from '@moocflix/platform-core/errors';
import { mayManage, mayWatch, requireUploadAllowed, type Caller, type KnownCourse } from './video-access';

const owner: Caller = { userId: 'owner', role: 'instructor' };
const otherInstructor: Caller = { userId: 'other', role: 'instructor' };
const admin: Caller = { userId: 'admin', role: 'admin' };
const student: Caller = { userId: 'student', role: 'student' };
const course: KnownCourse = { courseId: 'c1', instructorId: 'owner', published: true, deleted: false };
const deleted: KnownCourse = { ...course, deleted: true };
const draft: KnownCourse = { ...course, published: false };

function statusOf(action: () => unknown): number | 'ok' {
  try {
    action();
    return 'ok';
  } catch (err) {
    if (err instanceof HttpProblem) return err.status;
    throw err;
  }
}

describe('mayManage', () => {
  it('lets the owner and admins manage, nobody else', () => {
    expect(mayManage(course, owner)).toBe(true);
    expect(mayManage(course, admin)).toBe(true);
    expect(mayManage(course, otherInstructor)).toBe(false);
    expect(mayManage(course, student)).toBe(false);
  });

  it('refuses everyone, admins included, a deleted course or one it has not heard of (the platform rule: it does not exist)', () => {
    expect(mayManage(deleted, owner)).toBe(false);
    expect(mayManage(deleted, admin)).toBe(false);
    expect(mayManage(undefined, owner)).toBe(false);
    expect(mayManage(undefined, admin)).toBe(false);
  });
});

describe('mayWatch', () => {
  it('lets students with an active enrollment watch, not inactive or unenrolled ones', () => {
    expect(mayWatch(course, 'active', student)).toBe(true);
    expect(mayWatch(course, 'inactive', student)).toBe(false);
    expect(mayWatch(course, undefined, student)).toBe(false);
  });

  it('lets managers watch without an enrollment', () => {
    expect(mayWatch(course, undefined, owner)).toBe(true);
    expect(mayWatch(course, undefined, admin)).toBe(true);
    expect(mayWatch(course, undefined, otherInstructor)).toBe(false);
  });

  it('lets an enrolled student of a deleted course watch no more', () => {
    expect(mayWatch(deleted, 'active', student)).toBe(false);
  });

  it('lets only the owner and admins watch an unpublished course, not its enrolled students', () => {
    expect(mayWatch(draft, 'active', student)).toBe(false);
    expect(mayWatch(draft, undefined, owner)).toBe(true);
    expect(mayWatch(draft, undefined, admin)).toBe(true);
  });
});

describe('requireUploadAllowed', () => {
  it('answers 404 for an unknown or deleted course, 403 for someone else’s, and passes the owner and admins', () => {
    expect(statusOf(() => requireUploadAllowed(undefined, owner))).toBe(404);
    expect(statusOf(() => requireUploadAllowed(undefined, admin))).toBe(404);
    expect(statusOf(() => requireUploadAllowed(deleted, owner))).toBe(404);
    expect(statusOf(() => requireUploadAllowed(course, otherInstructor))).toBe(403);
    expect(statusOf(() => requireUploadAllowed(course, owner))).toBe('ok');
    expect(statusOf(() => requireUploadAllowed(course, admin))).toBe('ok');
  });
});
