import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../e2e/stack/control';
import { Topics } from '@moocflix/platform-bus';
import { CoursesUnderTest, type Json, type User } from './support/courses-under-test';
import { expectProblem } from '@moocflix/platform-testing';

// jest ignores the integration project's testTimeout (a global option), so the file sets its own:
// starting the service joins a Kafka consumer group, and events take a relay hop to arrive.
jest.setTimeout(60_000);

let app: CoursesUnderTest;
let owner: User;
let otherInstructor: User;
let admin: User;

beforeAll(async () => {
  app = await CoursesUnderTest.start('enrollment');
  [owner, otherInstructor, admin] = await app.users('instructor', 'instructor', 'admin');
});
afterAll(async () => {
  await app?.close();
});

const students = (n: number) => Promise.all(Array.from({ length: n }, () => app.user('student')));
const enroll = (courseId: string, as: User) => app.request('POST', `/${courseId}/enroll`, as);

async function enrollmentRows(courseId: string): Promise<{ student_id: string; status: string }[]> {
  const { rows } = await app.db.query(
    'SELECT student_id, status FROM enrollments WHERE course_id = $1 ORDER BY enrolled_at, student_id',
    [courseId],
  );
  return rows;
}

/** Student-Enrolled events of `courseId` that reached Kafka, once at least `atLeast` of them have. */
async function enrolledEvents(courseId: string, atLeast: number) {
  return waitFor(
    () => {
      const events = app.eventsFor(Topics.StudentEnrolled, courseId);
      expect(events.length).toBeGreaterThanOrEqual(atLeast);
      return events;
    },
    { timeoutMs: 20_000 },
  );
}

describe('POST /api/v1/courses/:id/enroll', () => {
  it('enrolls the calling student: 201, one row, one Student-Enrolled event keyed by the course id', async () => {
    const course = await app.createCourse(owner);
    const [student] = await students(1);
    const response = await enroll(course.id, student!);

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      courseId: course.id,
      studentId: student!.id,
      status: 'active',
      enrolledAt: expect.any(String),
    });
    expect(await enrollmentRows(course.id)).toEqual([{ student_id: student!.id, status: 'active' }]);

    const [event] = await enrolledEvents(course.id, 1);
    expect(event!.key).toBe(course.id);
    expect(event!.event.data).toEqual({
      courseId: course.id,
      studentId: student!.id,
      instructorId: owner.id,
      status: 'active',
      enrolledAt: response.body.enrolledAt,
    });
  });

  it('is idempotent: repeated and concurrent calls give one 201, then 200 with the same enrollment — one row, one event', async () => {
    const course = await app.createCourse(owner);
    const [student] = await students(1);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => enroll(course.id, student!)));
    const later = await enroll(course.id, student!);

    expect(concurrent.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    const created = concurrent.find((r) => r.status === 201)!;
    for (const response of [...concurrent, later]) expect(response.body).toEqual(created.body);
    expect(later.status).toBe(200);
    expect(await enrollmentRows(course.id)).toHaveLength(1);
    expect(await app.outboxRows(Topics.StudentEnrolled, course.id)).toHaveLength(1);
    await enrolledEvents(course.id, 1);
    await sleep(1500);
    expect(app.eventsFor(Topics.StudentEnrolled, course.id)).toHaveLength(1);
  });

  it('gives the last seat to exactly one of many concurrent students (capacity − 1 taken)', async () => {
    const capacity = 5;
    const course = await app.createCourse(owner, { capacity });
    for (const student of await students(capacity - 1))
      expect((await enroll(course.id, student)).status).toBe(201);

    const contenders = await students(10);
    const responses = await Promise.all(contenders.map((student) => enroll(course.id, student)));

    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    for (const refused of responses.filter((r) => r.status !== 201))
      expectProblem(refused, 409, 'course-full');
    expect((await enrollmentRows(course.id)).filter((r) => r.status === 'active')).toHaveLength(capacity);
    expect(await app.outboxRows(Topics.StudentEnrolled, course.id)).toHaveLength(capacity);
    expect(await enrolledEvents(course.id, capacity)).toHaveLength(capacity);
  });

  it('enforces the enrollment window with a 409 and a reason', async () => {
    const notYet = await app.createCourse(owner, {
      enrollmentOpensAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const over = await app.createCourse(owner, {
      enrollmentOpensAt: '2000-01-01T00:00:00Z',
      enrollmentClosesAt: '2001-01-01T00:00:00Z',
    });
    const open = await app.createCourse(owner, {
      enrollmentOpensAt: new Date(Date.now() - 60_000).toISOString(),
      enrollmentClosesAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const [student] = await students(1);

    expectProblem(await enroll(notYet.id, student!), 409, 'enrollment-not-open');
    expectProblem(await enroll(over.id, student!), 409, 'enrollment-closed');
    expect((await enroll(open.id, student!)).status).toBe(201);
    expect(await enrollmentRows(notYet.id)).toEqual([]);
    expect(await enrollmentRows(over.id)).toEqual([]);
  });

  it('lets only students enroll (403), and only in published courses that exist (404)', async () => {
    const course = await app.createCourse(owner);
    for (const caller of [owner, otherInstructor, admin]) expectProblem(await enroll(course.id, caller), 403);
    expectProblem(await app.request('POST', `/${course.id}/enroll`, undefined), 401);

    const [student] = await students(1);
    const draft = await app.createCourse(owner, { published: false });
    const deleted = await app.createCourse(owner);
    expect((await app.request('DELETE', `/${deleted.id}`, owner)).status).toBe(204);
    expectProblem(await enroll(draft.id, student!), 404);
    expectProblem(await enroll(deleted.id, student!), 404);
    expectProblem(await enroll(randomUUID(), student!), 404);
    expect(await enrollmentRows(course.id)).toEqual([]);
  });

  it('answers 400 for a body with fields, a query parameter, or an id that is not a UUID', async () => {
    const course = await app.createCourse(owner);
    const [student] = await students(1);
    expectProblem(
      await app.request('POST', `/${course.id}/enroll`, student, { body: { studentId: 'someone-else' } }),
      400,
    );
    expectProblem(await app.request('POST', `/${course.id}/enroll?studentId=x`, student), 400);
    expectProblem(await app.request('POST', '/nope/enroll', student), 400);
    expect(await enrollmentRows(course.id)).toEqual([]);
  });

  it('keeps a course’s capacity from going below the seats taken (409)', async () => {
    const course = await app.createCourse(owner, { capacity: 10 });
    for (const student of await students(2)) await enroll(course.id, student);
    expectProblem(
      await app.request('PUT', `/${course.id}`, owner, { body: { capacity: 1 } }),
      409,
      'capacity-below-enrollments',
    );
    expect((await app.request('PUT', `/${course.id}`, owner, { body: { capacity: 2 } })).status).toBe(200);
  });
});

describe('enrolling into a course the service remembers from an earlier enrollment (one-statement path)', () => {
  // After a first enrollment the service remembers the course and lets the next students in with one
  // guarded statement. Every change to the course must still be seen: none of these may enroll.
  async function rememberedCourse(fields: Json = {}) {
    const course = await app.createCourse(owner, fields);
    const [first] = await students(1);
    expect((await enroll(course.id, first!)).status).toBe(201);
    return course;
  }
  const update = async (courseId: string, body: Json) =>
    expect((await app.request('PUT', `/${courseId}`, owner, { body })).status).toBe(200);

  it('enrolls the next student with the same row and event as the first', async () => {
    const course = await rememberedCourse();
    const [second] = await students(1);
    const response = await enroll(course.id, second!);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      courseId: course.id,
      studentId: second!.id,
      status: 'active',
      enrolledAt: expect.any(String),
    });
    expect(await enrollmentRows(course.id)).toContainEqual({ student_id: second!.id, status: 'active' });
    const events = await enrolledEvents(course.id, 2);
    expect(events.find((e) => e.event.data.studentId === second!.id)!.event.data).toEqual({
      courseId: course.id,
      studentId: second!.id,
      instructorId: owner.id,
      status: 'active',
      enrolledAt: response.body.enrolledAt,
    });
  });

  it('sees a window that closed, an unpublished course, a capacity now full, and a deletion', async () => {
    const closed = await rememberedCourse();
    const unpublished = await rememberedCourse();
    const limited = await rememberedCourse();
    const deleted = await rememberedCourse();
    await update(closed.id, { enrollmentClosesAt: new Date(Date.now() - 1_000).toISOString() });
    await update(unpublished.id, { published: false });
    await update(limited.id, { capacity: 1 });
    expect((await app.request('DELETE', `/${deleted.id}`, owner)).status).toBe(204);

    const [late] = await students(1);
    expectProblem(await enroll(closed.id, late!), 409, 'enrollment-closed');
    expectProblem(await enroll(unpublished.id, late!), 404);
    expectProblem(await enroll(limited.id, late!), 409, 'course-full');
    expectProblem(await enroll(deleted.id, late!), 404);
    for (const course of [closed, unpublished, limited, deleted]) {
      expect(await enrollmentRows(course.id)).toHaveLength(1);
      expect(await app.outboxRows(Topics.StudentEnrolled, course.id)).toHaveLength(1);
    }
  });

  it('sees a course updated by another replica (its version moved on without this process knowing)', async () => {
    const course = await rememberedCourse();
    // Straight in the database, as another replica's update would be: this process still remembers version 1.
    await app.db.query('UPDATE courses SET enrollment_opens_at = $2, version = version + 1 WHERE id = $1', [
      course.id,
      new Date(Date.now() + 3_600_000),
    ]);
    const [late] = await students(1);
    expectProblem(await enroll(course.id, late!), 409, 'enrollment-not-open');
    expect(await enrollmentRows(course.id)).toHaveLength(1);
  });

  it('is idempotent for a student already enrolled, also when the calls race: one row, one event', async () => {
    const course = await rememberedCourse();
    const [student] = await students(1);
    const responses = await Promise.all(Array.from({ length: 8 }, () => enroll(course.id, student!)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect((await enroll(course.id, student!)).status).toBe(200);
    expect((await enrollmentRows(course.id)).filter((r) => r.student_id === student!.id)).toHaveLength(1);
    expect(await app.outboxRows(Topics.StudentEnrolled, course.id)).toHaveLength(2);
  });
});

describe('GET /api/v1/courses/:id/enrollments', () => {
  it('shows the owner (and admins) who enrolled, oldest first, page by page', async () => {
    const course = await app.createCourse(owner);
    const enrolled = await students(5);
    for (const student of enrolled) await enroll(course.id, student);

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const response: { status: number; body: Json } = await app.request(
        'GET',
        `/${course.id}/enrollments?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        owner,
      );
      expect(response.status).toBe(200);
      ids.push(...response.body.items.map((e: { studentId: string }) => e.studentId));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(ids).toEqual((await enrollmentRows(course.id)).map((r) => r.student_id));
    expect(new Set(ids)).toEqual(new Set(enrolled.map((s) => s.id)));

    const asAdmin = await app.request('GET', `/${course.id}/enrollments?status=active&limit=100`, admin);
    expect(asAdmin.body.items).toHaveLength(5);
    expect((await app.request('GET', `/${course.id}/enrollments?status=inactive`, owner)).body.items).toEqual(
      [],
    );
  });

  it('refuses another instructor and a student, even an enrolled one, with 403 (no BOLA)', async () => {
    const course = await app.createCourse(owner);
    const [student] = await students(1);
    await enroll(course.id, student!);
    expectProblem(await app.request('GET', `/${course.id}/enrollments`, otherInstructor), 403);
    expectProblem(await app.request('GET', `/${course.id}/enrollments`, student), 403);
    expectProblem(await app.request('GET', `/${randomUUID()}/enrollments`, owner), 404);
  });

  it('answers 400 for bad paging and filters', async () => {
    const course = await app.createCourse(owner);
    for (const query of ['limit=-1', 'limit=10000', 'limit=1.5', 'status=gone', 'student=x', 'cursor=abc']) {
      expectProblem(await app.request('GET', `/${course.id}/enrollments?${query}`, owner), 400);
    }
  });
});

describe('GET /api/v1/courses/enrolled', () => {
  it('lists the caller’s own enrollments, newest first, without deleted courses or other students’ seats', async () => {
    const [student, classmate] = await students(2);
    const courses: Json[] = [];
    for (let i = 0; i < 3; i++) {
      const course = await app.createCourse(owner, { title: `Enrolled ${i}` });
      expect((await enroll(course.id, student!)).status).toBe(201);
      courses.push(course);
    }
    const elsewhere = await app.createCourse(owner);
    await enroll(elsewhere.id, classmate!);
    expect((await app.request('DELETE', `/${courses[1].id}`, owner)).status).toBe(204);

    const first = await app.request('GET', '/enrolled?limit=1', student);
    expect(first.status).toBe(200);
    const second = await app.request('GET', `/enrolled?limit=1&cursor=${first.body.nextCursor}`, student);
    expect(second.body.nextCursor).toBeNull();
    const items = [...first.body.items, ...second.body.items];
    expect(items.map((e: Json) => e.courseId).sort()).toEqual([courses[0].id, courses[2].id].sort());
    expect(items[0].enrolledAt >= items[1].enrolledAt).toBe(true);
    expect(items.find((e: Json) => e.courseId === courses[2].id)).toEqual({
      courseId: courses[2].id,
      studentId: student!.id,
      status: 'active',
      enrolledAt: expect.any(String),
      course: { id: courses[2].id, title: 'Enrolled 2', instructorId: owner.id },
      progress: { completedModules: 0, totalModules: 0 },
    });
    expect((await app.request('GET', '/enrolled', owner)).body).toEqual({ items: [], nextCursor: null });
  });

  it('answers 400 for bad paging', async () => {
    const [student] = await students(1);
    for (const query of ['limit=0', 'limit=10000', 'mine=true'])
      expectProblem(await app.request('GET', `/enrolled?${query}`, student), 400);
  });
});

describe('users projection (User-Creation / User-Update)', () => {
  const userData = (user: User, status: 'active' | 'deactivated') => ({
    userId: user.id,
    email: `${user.id}@example.com`,
    name: 'Student',
    role: 'student' as const,
    status,
  });

  const processed = async (eventId: string) =>
    (
      await app.db.query(
        "SELECT 1 FROM platform_processed_events WHERE consumer_group = 'courses' AND event_id = $1",
        [eventId],
      )
    ).rowCount;

  const knownUser = async (id: string) =>
    (await app.db.query('SELECT status FROM known_users WHERE id = $1', [id])).rows[0];

  it('records users it hears about', async () => {
    const [student] = await students(1);
    const event = await app.publishUserEvent(Topics.UserCreation, {
      ...userData(student!, 'active'),
      createdAt: new Date().toISOString(),
    });
    await waitFor(async () => expect(await processed(event.id)).toBe(1), { timeoutMs: 30_000 });
    expect(await knownUser(student!.id)).toEqual({ status: 'active' });
    expect((await enroll((await app.createCourse(owner)).id, student!)).status).toBe(201);
  });

  it('deactivation: enrollments go inactive with one event each, seats free up, further enrolling is refused — once, however often it is delivered', async () => {
    const [student, waiting] = await students(2);
    const full = await app.createCourse(owner, { capacity: 1 });
    const other = await app.createCourse(owner);
    expect((await enroll(full.id, student!)).status).toBe(201);
    expect((await enroll(other.id, student!)).status).toBe(201);
    expectProblem(await enroll(full.id, waiting!), 409, 'course-full');

    const deactivatedAt = new Date();
    const deactivation = await app.publishUserEvent(Topics.UserUpdate, {
      ...userData(student!, 'deactivated'),
      changed: ['status'],
      updatedAt: deactivatedAt.toISOString(),
    });
    // The same event delivered again (a redelivery), then a second, distinct deactivation event.
    await app.republish(Topics.UserUpdate, deactivation);
    const repeated = await app.publishUserEvent(Topics.UserUpdate, {
      ...userData(student!, 'deactivated'),
      changed: ['status'],
      updatedAt: new Date(deactivatedAt.getTime() + 1).toISOString(),
    });
    await waitFor(async () => expect(await processed(repeated.id)).toBe(1), { timeoutMs: 30_000 });
    expect(await processed(deactivation.id)).toBe(1);

    expect(await knownUser(student!.id)).toEqual({ status: 'deactivated' });
    expect(await enrollmentRows(full.id)).toEqual([{ student_id: student!.id, status: 'inactive' }]);
    expect(await enrollmentRows(other.id)).toEqual([{ student_id: student!.id, status: 'inactive' }]);

    for (const course of [full, other]) {
      const inactive = () =>
        app.eventsFor(Topics.StudentEnrolled, course.id).filter((e) => e.event.data.status === 'inactive');
      await waitFor(() => expect(inactive()).toHaveLength(1), { timeoutMs: 20_000 });
      expect(inactive()[0]!.event.data).toMatchObject({
        courseId: course.id,
        studentId: student!.id,
        instructorId: owner.id,
      });
    }
    await sleep(1500);
    for (const course of [full, other]) {
      expect(
        app.eventsFor(Topics.StudentEnrolled, course.id).filter((e) => e.event.data.status === 'inactive'),
      ).toHaveLength(1);
    }

    expectProblem(await enroll(other.id, student!), 409, 'student-deactivated');
    expect((await enroll(full.id, waiting!)).status).toBe(201);

    // An older snapshot arriving late (e.g. from a dead-letter replay) does not reactivate the user.
    const stale = await app.publishUserEvent(Topics.UserCreation, {
      ...userData(student!, 'active'),
      createdAt: new Date(deactivatedAt.getTime() - 60_000).toISOString(),
    });
    await waitFor(async () => expect(await processed(stale.id)).toBe(1), { timeoutMs: 30_000 });
    expect(await knownUser(student!.id)).toEqual({ status: 'deactivated' });
  });
});
