import { randomUUID } from 'node:crypto';
import { waitFor } from '../../../e2e/stack/control';
import { Topics } from '@moocflix/platform-bus';
import { NotificationsUnderTest, type User } from './support/notifications-under-test';

jest.setTimeout(60_000);

let app: NotificationsUnderTest;
let instructor: User;

beforeAll(async () => {
  // A sweep every 200 ms instead of every hour; the retention is the default (180 days).
  app = await NotificationsUnderTest.start('retention', {
    env: { NOTIFICATION_RETENTION_SWEEP_INTERVAL_MS: '200' },
  });
  instructor = await app.user('instructor');
});
afterAll(async () => {
  await app?.close();
});

/** One enrollment through the real consumer: it notifies the student and `instructor`. Returns the event id. */
async function notifyInstructor(): Promise<string> {
  const courseId = randomUUID();
  const created = await app.publish(Topics.CourseCreation, courseId, {
    courseId,
    instructorId: instructor.id,
    title: 'Retained course',
    published: true,
    category: null,
    capacity: null,
    createdAt: new Date().toISOString(),
  });
  await app.processed(created);
  const student = await app.user('student');
  const event = await app.publish(Topics.StudentEnrolled, courseId, {
    courseId,
    studentId: student.id,
    instructorId: instructor.id,
    status: 'active',
    enrolledAt: new Date().toISOString(),
  });
  await app.processed(event);
  expect(await app.rowsFor(event.id)).not.toHaveLength(0);
  return event.id;
}

/** Stands for time passing: the notification now looks `days` old to the sweep. */
async function age(eventId: string, days: number): Promise<void> {
  await app.db.query(
    `UPDATE notifications SET created_at = now() - make_interval(days => $2) WHERE source_event_id = $1`,
    [eventId, days],
  );
}

it('deletes notifications older than the retention, read or not, and keeps the younger ones', async () => {
  const [expiredUnread, expiredRead, young] = [
    await notifyInstructor(),
    await notifyInstructor(),
    await notifyInstructor(),
  ];
  await app.db.query('UPDATE notifications SET read_at = now() WHERE source_event_id = $1', [expiredRead]);
  await age(expiredUnread, 181);
  await age(expiredRead, 200);
  await age(young, 179);

  await waitFor(
    async () => {
      expect(await app.rowsFor(expiredUnread)).toHaveLength(0);
      expect(await app.rowsFor(expiredRead)).toHaveLength(0);
    },
    { timeoutMs: 10_000 },
  );
  expect(await app.rowsFor(young)).not.toHaveLength(0);
  // And through the API: the inbox lists only what is left.
  const response = await app.request('GET', '?limit=100', instructor);
  expect(response.status).toBe(200);
  expect(response.body.items).toHaveLength(1);
});

it('refuses a retention shorter than the processed-events window at startup', async () => {
  await expect(
    NotificationsUnderTest.start('retention_short', { env: { NOTIFICATION_RETENTION_DAYS: '7' } }),
  ).rejects.toThrow(/NOTIFICATION_RETENTION_DAYS/);
});
