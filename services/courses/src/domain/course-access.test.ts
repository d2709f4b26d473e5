import { HttpProblem } from '@moocflix/platform-core/errors';
import { canSee, may, requireAllowed, requireVisible } from './course-access';

const owner = { userId: 'owner-1', role: 'instructor' as const };
const otherInstructor = { userId: 'instructor-2', role: 'instructor' as const };
const student = { userId: 'student-1', role: 'student' as const };
const admin = { userId: 'admin-1', role: 'admin' as const };
const published = { instructorId: owner.userId, published: true };
const draft = { instructorId: owner.userId, published: false };

function statusOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof HttpProblem) return err.status;
    throw err;
  }
}

describe('course visibility', () => {
  it('shows published courses to everyone and drafts only to their owner and admins', () => {
    for (const caller of [owner, otherInstructor, student, admin]) expect(canSee(published, caller)).toBe(true);
    expect(canSee(draft, owner)).toBe(true);
    expect(canSee(draft, admin)).toBe(true);
    expect(canSee(draft, otherInstructor)).toBe(false);
    expect(canSee(draft, student)).toBe(false);
  });

  it('answers 404 for a missing course and for someone else’s draft, so drafts do not leak', () => {
    expect(statusOf(() => requireVisible(undefined, owner))).toBe(404);
    expect(statusOf(() => requireVisible(draft, student))).toBe(404);
    expect(statusOf(() => requireVisible(draft, owner))).toBe('ok');
  });
});

describe('course actions', () => {
  it('lets the owner do everything', () => {
    for (const action of ['update-course', 'delete-course', 'edit-modules', 'list-enrollments'] as const) {
      expect(may(action, published, owner)).toBe(true);
    }
  });

  it('lets admins update, delete and see enrollments but not edit modules', () => {
    expect(may('update-course', published, admin)).toBe(true);
    expect(may('delete-course', published, admin)).toBe(true);
    expect(may('list-enrollments', published, admin)).toBe(true);
    expect(may('edit-modules', published, admin)).toBe(false);
  });

  it('answers 403 to another instructor or a student on a course they can see, 404 on a draft they cannot', () => {
    for (const caller of [otherInstructor, student]) {
      expect(statusOf(() => requireAllowed('update-course', published, caller))).toBe(403);
      expect(statusOf(() => requireAllowed('edit-modules', published, caller))).toBe(403);
      expect(statusOf(() => requireAllowed('update-course', draft, caller))).toBe(404);
    }
  });
});
