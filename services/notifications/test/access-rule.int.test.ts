import { randomUUID } from 'node:crypto';
import { Topics } from '@moocflix/platform-bus';
import { NotificationsUnderTest, type User } from './support/notifications-under-test';

/*
 * The access rule (docs/access-rules.md) in the inbox: students are not told of an assessment in a
 * course that does not exist for them — unpublished (404 to its own students) or deleted — since the
 * notification would point them at a 404. The same course published again is told of.
 */
jest.setTimeout(60_000);

let app: NotificationsUnderTest;
let instructor: User;

beforeAll(async () => {
  app = await NotificationsUnderTest.start('access_rule');
  instructor = await app.user('instructor');
});
afterAll(async () => {
  await app?.close();
});

const now = () => new Date().toISOString();

async function courseUpdate(courseId: string, published: boolean, version: number): Promise<void> {
  await app.processed(
    await app.publish(Topics.CourseUpdate, courseId, {
      courseId,
      instructorId: instructor.id,
      title: 'Set Theory',
      published,
      category: null,
      capacity: null,
      version,
      updatedAt: now(),
    }),
  );
}

async function announce(courseId: string): Promise<string> {
  const assessmentId = randomUUID();
  const event = await app.publish(Topics.AssessmentCreation, assessmentId, {
    assessmentId,
    courseId,
    instructorId: instructor.id,
    title: 'Quiz',
    type: 'quiz',
    dueAt: null,
    createdAt: now(),
  });
  await app.processed(event);
  return event.id;
}

it('Assessment-Creation reaches the active students of a published course only', async () => {
  const courseId = randomUUID();
  const student = await app.user('student');
  await courseUpdate(courseId, true, 2);
  await app.processed(
    await app.publish(Topics.StudentEnrolled, courseId, {
      courseId,
      studentId: student.id,
      instructorId: instructor.id,
      status: 'active',
      enrolledAt: now(),
    }),
  );

  await courseUpdate(courseId, false, 3);
  expect(await app.rowsFor(await announce(courseId))).toEqual([]);

  await courseUpdate(courseId, true, 4);
  expect(await app.rowsFor(await announce(courseId))).toEqual([
    { recipient_id: student.id, type: 'assessment.created' },
  ]);

  await app.processed(
    await app.publish(Topics.CourseDeletion, courseId, {
      courseId,
      instructorId: instructor.id,
      deletedAt: now(),
    }),
  );
  expect(await app.rowsFor(await announce(courseId))).toEqual([]);
});
