import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '../../../../../e2e/stack/control';
import { createPool, runMigrations, withTransaction, type Pool } from '@moocflix/platform-db';
import { KIT_MIGRATIONS_DIR } from '../events';
import {
  countActiveEnrollments,
  findCourse,
  findCourseTitle,
  findEnrollmentStatus,
  lockEnrollment,
  recordCourse,
  recordCourseDeletion,
  recordEnrollment,
} from './index';

let pool: Pool;

beforeAll(async () => {
  pool = createPool(await createTestDatabase('course_projection'));
  await runMigrations(pool, KIT_MIGRATIONS_DIR);
});
afterAll(async () => {
  await pool.end();
});

const now = () => new Date().toISOString();
const course = (courseId: string, instructorId: string, title: string) => ({
  courseId,
  instructorId,
  title,
  published: true,
  category: null,
  capacity: null,
  createdAt: now(),
});
const enrolled = (courseId: string, studentId: string, status: 'active' | 'inactive', instructorId = 'owner-1') => ({
  courseId,
  studentId,
  instructorId,
  status,
  enrolledAt: now(),
});

describe('course projection', () => {
  it('records a course, its owner changes and title, and answers the queries', async () => {
    const courseId = randomUUID();
    await recordCourse(pool, course(courseId, 'owner-1', 'Algebra'));
    await recordCourse(pool, { ...course(courseId, 'owner-2', 'Algebra II'), version: 2, updatedAt: now() });

    expect(await findCourse(pool, courseId)).toEqual({ courseId, instructorId: 'owner-2', published: true, deleted: false });
    expect(await findCourseTitle(pool, courseId)).toBe('Algebra II');
    expect(await findCourse(pool, randomUUID())).toBeUndefined();
    expect(await findCourseTitle(pool, randomUUID())).toBeNull();
  });

  it('makes a course known from an enrollment that arrives before the course, keeping the later title', async () => {
    const courseId = randomUUID();
    await recordEnrollment(pool, enrolled(courseId, 'student-1', 'active'));
    expect(await findCourse(pool, courseId)).toEqual({ courseId, instructorId: 'owner-1', published: true, deleted: false });
    expect(await findCourseTitle(pool, courseId)).toBeNull();

    await recordCourse(pool, course(courseId, 'owner-1', 'Biology'));
    // A later enrollment names no title: the known one stays.
    await recordEnrollment(pool, enrolled(courseId, 'student-2', 'active'));
    expect(await findCourseTitle(pool, courseId)).toBe('Biology');
  });

  it('never undeletes a course, whatever arrives after the deletion', async () => {
    const courseId = randomUUID();
    await recordCourseDeletion(pool, { courseId, instructorId: 'owner-1', deletedAt: now() });
    expect(await findCourse(pool, courseId)).toEqual({ courseId, instructorId: 'owner-1', published: true, deleted: true });

    await recordCourse(pool, course(courseId, 'owner-1', 'Chemistry'));
    await recordEnrollment(pool, enrolled(courseId, 'student-1', 'active'));
    expect((await findCourse(pool, courseId))?.deleted).toBe(true);
    expect(await findCourseTitle(pool, courseId)).toBe('Chemistry');
  });

  it('follows the published state by course version: an older event arriving late never wins', async () => {
    const courseId = randomUUID();
    const unpublished = { ...course(courseId, 'owner-1', 'Draft'), published: false };
    await recordCourse(pool, { ...unpublished, version: 3, updatedAt: now() });
    expect((await findCourse(pool, courseId))?.published).toBe(false);
    // Course-Creation (version 1) and an earlier update arrive after it, on their own topics.
    await recordCourse(pool, course(courseId, 'owner-1', 'Draft'));
    await recordCourse(pool, { ...course(courseId, 'owner-1', 'Draft'), version: 2, updatedAt: now() });
    expect((await findCourse(pool, courseId))?.published).toBe(false);
    await recordCourse(pool, { ...course(courseId, 'owner-1', 'Draft'), version: 4, updatedAt: now() });
    expect((await findCourse(pool, courseId))?.published).toBe(true);
    // An enrollment names no published state: it changes nothing.
    await recordCourse(pool, { ...unpublished, version: 5, updatedAt: now() });
    await recordEnrollment(pool, enrolled(courseId, 'student-1', 'active'));
    expect((await findCourse(pool, courseId))?.published).toBe(false);
  });

  it('keeps each student’s latest enrollment status and counts the active ones', async () => {
    const courseId = randomUUID();
    await recordEnrollment(pool, enrolled(courseId, 'student-1', 'active'));
    await recordEnrollment(pool, enrolled(courseId, 'student-2', 'active'));
    await recordEnrollment(pool, enrolled(courseId, 'student-2', 'inactive'));

    expect(await findEnrollmentStatus(pool, courseId, 'student-1')).toBe('active');
    expect(await findEnrollmentStatus(pool, courseId, 'student-2')).toBe('inactive');
    expect(await findEnrollmentStatus(pool, courseId, 'student-3')).toBeUndefined();
    expect(await countActiveEnrollments(pool, courseId)).toBe(1);
    expect(await withTransaction(pool, (tx) => lockEnrollment(tx, courseId, 'student-2'))).toBe('inactive');
  });
});
