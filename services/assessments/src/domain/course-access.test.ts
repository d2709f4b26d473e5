import { HttpProblem } from '@moocflix/platform-core/errors';
import {
  participantOf,
  requireActiveStudent,
  requireCourse,
  requireOwner,
  requireParticipant,
  type CourseStanding,
} from './course-access';

const owner = { userId: 'owner', role: 'instructor' as const };
const student = { userId: 'student', role: 'student' as const };
const course = (callerEnrollment?: 'active' | 'inactive'): CourseStanding => ({
  instructorId: 'owner',
  published: true,
  deleted: false,
  callerEnrollment,
});

const statusOf = (run: () => unknown): number | undefined => {
  try {
    run();
    return undefined;
  } catch (err) {
    return (err as HttpProblem).status;
  }
};

describe('course access', () => {
  it('knows the owner and active students; an inactive or unknown student is nobody', () => {
    expect(participantOf(course(), owner)).toBe('owner');
    expect(participantOf(course('active'), student)).toBe('student');
    expect(participantOf(course('inactive'), student)).toBeUndefined();
    expect(participantOf(course(), student)).toBeUndefined();
  });

  it('answers 404 for an unknown or deleted course, 403 for outsiders', () => {
    expect(statusOf(() => requireCourse(undefined, 'Course'))).toBe(404);
    expect(statusOf(() => requireCourse({ ...course(), deleted: true }, 'Course'))).toBe(404);
    expect(statusOf(() => requireParticipant(course('inactive'), student))).toBe(403);
    expect(statusOf(() => requireParticipant(course(), { userId: 'other', role: 'admin' }))).toBe(403);
  });

  it('answers 404 for an unpublished course to everyone but its owner, its active students included', () => {
    const draft = { ...course('active'), published: false, notFoundAs: 'Assessment' };
    expect(statusOf(() => requireParticipant(draft, student))).toBe(404);
    expect(statusOf(() => requireActiveStudent(draft, student))).toBe(404);
    expect(statusOf(() => requireOwner(draft, student, 'grade'))).toBe(404);
    expect(statusOf(() => requireParticipant(draft, owner))).toBeUndefined();
    expect(statusOf(() => requireOwner(draft, owner, 'grade'))).toBeUndefined();
  });

  it('keeps owner actions for the owner and submitting for active students', () => {
    expect(statusOf(() => requireOwner(course('active'), student, 'grade'))).toBe(403);
    expect(
      statusOf(() => requireOwner(course(), { userId: 'another-instructor', role: 'instructor' }, 'grade')),
    ).toBe(403);
    expect(statusOf(() => requireOwner(course(), owner, 'grade'))).toBeUndefined();
    expect(statusOf(() => requireActiveStudent(course(), owner))).toBe(403);
    expect(statusOf(() => requireActiveStudent(course('active'), student))).toBeUndefined();
  });
});
