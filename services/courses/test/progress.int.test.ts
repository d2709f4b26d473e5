import { randomUUID } from 'node:crypto';
import { Topics } from '@moocflix/platform-bus';
import { waitFor } from '../../../e2e/stack/control';
import { CoursesUnderTest, type Json, type User } from './support/courses-under-test';
import { expectProblem } from '@moocflix/platform-testing';

// jest ignores the integration project's testTimeout (a global option), so the file sets its own.
jest.setTimeout(60_000);

let app: CoursesUnderTest;
let owner: User;
let admin: User;

beforeAll(async () => {
  app = await CoursesUnderTest.start('progress');
  [owner, admin] = await app.users('instructor', 'admin');
});
afterAll(async () => {
  await app?.close();
});

/** A published course of `owner` with `n` modules, and a student enrolled in it. */
async function courseWithLearner(n = 2): Promise<{ course: Json; modules: Json[]; learner: User }> {
  const course = await app.createCourse(owner);
  const modules: Json[] = [];
  for (let i = 1; i <= n; i += 1) {
    const response = await app.request('POST', `/${course.id}/modules`, owner, {
      body: { title: `Module ${i}` },
    });
    expect(response.status).toBe(201);
    modules.push(response.body);
  }
  const learner = await app.user('student');
  expect((await app.request('POST', `/${course.id}/enroll`, learner)).status).toBe(201);
  return { course, modules, learner };
}

const put = (courseId: string, moduleId: string, as: User, body: unknown) =>
  app.request('PUT', `/${courseId}/modules/${moduleId}/progress`, as, { body });
const progressOf = (courseId: string, as: User) => app.request('GET', `/${courseId}/progress`, as);
const summaryOf = (courseId: string, as: User) => app.request('GET', `/${courseId}/progress/summary`, as);

describe('learner progress', () => {
  it('records a position and completion, and reads them back per module and as a summary', async () => {
    const { course, modules, learner } = await courseWithLearner(3);
    const [first, second] = modules;

    const written = await put(course.id, first.id, learner, { positionSeconds: 600.5, completed: true });
    expect(written.status).toBe(200);
    expect(written.body).toEqual({
      moduleId: first.id,
      positionSeconds: 600.5,
      completed: true,
      completedAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await put(course.id, second.id, learner, { positionSeconds: 42, completed: false })).status).toBe(
      200,
    );

    const progress = await progressOf(course.id, learner);
    expect(progress.status).toBe(200);
    expect(progress.body.modulesCompleted).toBe(1);
    expect(progress.body.modulesTotal).toBe(3);
    expect(progress.body.lastModule).toEqual({
      moduleId: second.id,
      positionSeconds: 42,
      updatedAt: expect.any(String),
    });
    expect(
      progress.body.modules.map((m: Json) => [m.moduleId, m.position, m.positionSeconds, m.completed]),
    ).toEqual([
      [first.id, 1, 600.5, true],
      [second.id, 2, 42, false],
      [modules[2].id, 3, 0, false],
    ]);
    expect(progress.body.modules[2].updatedAt).toBeNull();

    const summary = await summaryOf(course.id, learner);
    expect(summary.status).toBe(200);
    expect(summary.body).toEqual({
      courseId: course.id,
      modulesCompleted: 1,
      modulesTotal: 3,
      lastModule: { moduleId: second.id, positionSeconds: 42, updatedAt: expect.any(String) },
    });
  });

  it('is idempotent and the last write wins: a learner may seek back; completion is never undone', async () => {
    const { course, modules, learner } = await courseWithLearner(1);
    const moduleId = modules[0].id;
    for (const body of [
      { positionSeconds: 300, completed: true },
      { positionSeconds: 300, completed: true },
      { positionSeconds: 12, completed: false },
    ]) {
      expect((await put(course.id, moduleId, learner, body)).status).toBe(200);
    }
    const { rows } = await app.db.query(
      'SELECT position_seconds, completed_at IS NOT NULL AS completed FROM module_progress WHERE module_id = $1',
      [moduleId],
    );
    expect(rows).toEqual([{ position_seconds: 12, completed: true }]);
    const progress = await progressOf(course.id, learner);
    expect(progress.body.modules[0]).toMatchObject({ positionSeconds: 12, completed: true });
    expect(progress.body.modulesCompleted).toBe(1);
  });

  it('keeps each learner to their own progress: another learner neither sees nor overwrites it', async () => {
    const { course, modules, learner } = await courseWithLearner(1);
    const other = await app.user('student');
    expect(
      (await put(course.id, modules[0].id, learner, { positionSeconds: 100, completed: true })).status,
    ).toBe(200);

    // Not enrolled: the course is public (published), the right is missing → 403, nothing written.
    expectProblem(await put(course.id, modules[0].id, other, { positionSeconds: 1, completed: false }), 403);
    expectProblem(await progressOf(course.id, other), 403);
    expectProblem(await summaryOf(course.id, other), 403);

    // Enrolled too: their writes land in their own row only.
    expect((await app.request('POST', `/${course.id}/enroll`, other)).status).toBe(201);
    expect(
      (await put(course.id, modules[0].id, other, { positionSeconds: 5, completed: false })).status,
    ).toBe(200);
    expect((await progressOf(course.id, other)).body.modules[0]).toMatchObject({
      positionSeconds: 5,
      completed: false,
    });
    expect((await progressOf(course.id, learner)).body.modules[0]).toMatchObject({
      positionSeconds: 100,
      completed: true,
    });
  });

  it('refuses the owner and admins (not learners) with 403, as the access rule lets them watch but they have no enrollment', async () => {
    const { course, modules } = await courseWithLearner(1);
    for (const caller of [owner, admin]) {
      expectProblem(
        await put(course.id, modules[0].id, caller, { positionSeconds: 1, completed: false }),
        403,
      );
      expectProblem(await progressOf(course.id, caller), 403);
    }
  });

  it('answers 404 for an unknown course, a module of another course, and a course withdrawn from its learners', async () => {
    const { course, modules, learner } = await courseWithLearner(1);
    const elsewhere = await courseWithLearner(1);
    expectProblem(
      await put(randomUUID(), modules[0].id, learner, { positionSeconds: 1, completed: false }),
      404,
    );
    expectProblem(await progressOf(randomUUID(), learner), 404);
    expectProblem(
      await put(course.id, elsewhere.modules[0].id, learner, { positionSeconds: 1, completed: false }),
      404,
    );
    expectProblem(await put(course.id, randomUUID(), learner, { positionSeconds: 1, completed: false }), 404);

    // Unpublished: the course no longer exists for its students (docs/access-rules.md).
    expect((await app.request('PUT', `/${course.id}`, owner, { body: { published: false } })).status).toBe(
      200,
    );
    expectProblem(
      await put(course.id, modules[0].id, learner, { positionSeconds: 1, completed: false }),
      404,
    );
    expectProblem(await summaryOf(course.id, learner), 404);
  });

  it('treats an ended (inactive) enrollment as none: 403, and the progress already written is kept', async () => {
    const { course, modules, learner } = await courseWithLearner(1);
    expect(
      (await put(course.id, modules[0].id, learner, { positionSeconds: 30, completed: false })).status,
    ).toBe(200);
    // What a deactivation does to the learner's enrollments (the users event path is enrollment.int.test.ts's).
    await app.db.query(
      `UPDATE enrollments SET status = 'inactive' WHERE course_id = $1 AND student_id = $2`,
      [course.id, learner.id],
    );
    expectProblem(
      await put(course.id, modules[0].id, learner, { positionSeconds: 31, completed: false }),
      403,
    );
    expectProblem(await progressOf(course.id, learner), 403);
    const { rows } = await app.db.query('SELECT position_seconds FROM module_progress WHERE module_id = $1', [
      modules[0].id,
    ]);
    expect(rows).toEqual([{ position_seconds: 30 }]);
  });

  it('drops a deleted module from the progress, and answers 404 once the course is deleted', async () => {
    const { course, modules, learner } = await courseWithLearner(2);
    for (const module of modules) {
      expect(
        (await put(course.id, module.id, learner, { positionSeconds: 60, completed: true })).status,
      ).toBe(200);
    }
    expect((await app.request('DELETE', `/${course.id}/modules/${modules[0].id}`, owner)).status).toBe(204);
    const progress = await progressOf(course.id, learner);
    expect(progress.body).toMatchObject({ modulesCompleted: 1, modulesTotal: 1 });
    expect(progress.body.modules.map((m: Json) => m.moduleId)).toEqual([modules[1].id]);

    expect((await app.request('DELETE', `/${course.id}`, owner)).status).toBe(204);
    expectProblem(await progressOf(course.id, learner), 404);
    expectProblem(
      await put(course.id, modules[1].id, learner, { positionSeconds: 1, completed: false }),
      404,
    );
  });

  it('answers 400 problem+json on bad input and writes nothing', async () => {
    const { course, modules, learner } = await courseWithLearner(1);
    for (const body of [
      { positionSeconds: -1, completed: false },
      { positionSeconds: Number.NaN, completed: false }, // JSON has no NaN: it is sent as null
      { positionSeconds: '12', completed: false },
      { positionSeconds: 86_401, completed: false },
      { positionSeconds: 1e308, completed: false },
      { positionSeconds: 10 },
      { positionSeconds: 10, completed: 'yes' },
      { positionSeconds: 10, completed: false, studentId: 'someone-else' },
    ]) {
      expectProblem(await put(course.id, modules[0].id, learner, body), 400);
    }
    expectProblem(await put(course.id, 'not-a-uuid', learner, { positionSeconds: 1, completed: false }), 400);
    const { rows } = await app.db.query('SELECT 1 FROM module_progress WHERE course_id = $1', [course.id]);
    expect(rows).toEqual([]);
  });
});

/** The Module-Completed rows the service committed to its outbox for `learner` (the event's key). */
async function completionOutbox(learner: User): Promise<Json[]> {
  const { rows } = await app.db.query(
    `SELECT event->'data' AS data, published_at IS NOT NULL AS published FROM platform_outbox
      WHERE topic = $1 AND message_key = $2 ORDER BY seq`,
    [Topics.ModuleCompleted, learner.id],
  );
  return rows;
}

describe('Module-Completed', () => {
  it('is published once, with the write that first completes the module; later completed writes publish nothing', async () => {
    const { course, modules, learner } = await courseWithLearner(2);
    const [first, second] = modules;
    expect((await put(course.id, first.id, learner, { positionSeconds: 10, completed: false })).status).toBe(
      200,
    );
    expect(await completionOutbox(learner)).toEqual([]);

    const completing = await put(course.id, first.id, learner, { positionSeconds: 590, completed: true });
    expect(completing.status).toBe(200);
    const expected = {
      courseId: course.id,
      moduleId: first.id,
      userId: learner.id,
      completedAt: completing.body.completedAt,
    };
    // In the outbox with the progress row (same transaction), then on Kafka through the relay.
    expect((await completionOutbox(learner)).map((r) => r.data)).toEqual([expected]);
    const [event] = await waitFor(() => {
      const events = app.eventsFor(Topics.ModuleCompleted, learner.id);
      return events.length > 0 && events;
    });
    expect(event!.event.type).toBe('io.moocflix.module.completed');
    expect(event!.event.data).toEqual(expected);

    // The player keeps saying completed; the learner rewatches (false); completed again: nothing more.
    expect((await put(course.id, first.id, learner, { positionSeconds: 600, completed: true })).status).toBe(
      200,
    );
    expect((await put(course.id, first.id, learner, { positionSeconds: 5, completed: false })).status).toBe(
      200,
    );
    expect((await put(course.id, first.id, learner, { positionSeconds: 600, completed: true })).status).toBe(
      200,
    );
    // Another module completes: its own one event (the marker that the relay has run past the repeats).
    expect((await put(course.id, second.id, learner, { positionSeconds: 1, completed: true })).status).toBe(
      200,
    );
    const published = await waitFor(() => {
      const events = app.eventsFor(Topics.ModuleCompleted, learner.id);
      return events.length >= 2 && events;
    });
    await waitFor(async () => (await completionOutbox(learner)).every((r) => r.published));
    expect((await completionOutbox(learner)).map((r) => r.data.moduleId)).toEqual([first.id, second.id]);
    expect(app.eventsFor(Topics.ModuleCompleted, learner.id).map((e) => e.event.data.moduleId)).toEqual([
      first.id,
      second.id,
    ]);
    expect(published).toHaveLength(2);
  });

  it('is published once when the first write of a module already says completed, also when several race', async () => {
    const { course, modules, learner } = await courseWithLearner(1);
    const writes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        put(course.id, modules[0].id, learner, { positionSeconds: 100 + i, completed: true }),
      ),
    );
    expect(writes.map((w) => w.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const completedAt = new Set(writes.map((w) => w.body.completedAt));
    expect(completedAt.size).toBe(1);
    expect((await completionOutbox(learner)).map((r) => r.data)).toEqual([
      { courseId: course.id, moduleId: modules[0].id, userId: learner.id, completedAt: [...completedAt][0] },
    ]);
  });

  it('is not published for a refused write (no enrollment)', async () => {
    const { course, modules } = await courseWithLearner(1);
    const stranger = await app.user('student');
    expectProblem(
      await put(course.id, modules[0].id, stranger, { positionSeconds: 1, completed: true }),
      403,
    );
    expect(await completionOutbox(stranger)).toEqual([]);
  });
});

describe('GET /enrolled with progress', () => {
  it('gives each enrollment the learner’s modules completed out of the course’s modules', async () => {
    const { course, modules, learner } = await courseWithLearner(3);
    const other = await app.createCourse(owner);
    expect((await app.request('POST', `/${other.id}/enroll`, learner)).status).toBe(201);
    await put(course.id, modules[0].id, learner, { positionSeconds: 1, completed: true });
    await put(course.id, modules[1].id, learner, { positionSeconds: 1, completed: true });
    await put(course.id, modules[2].id, learner, { positionSeconds: 1, completed: false });
    // Another learner's completions do not count for this one.
    const classmate = await app.user('student');
    expect((await app.request('POST', `/${course.id}/enroll`, classmate)).status).toBe(201);
    await put(course.id, modules[2].id, classmate, { positionSeconds: 1, completed: true });

    const page = await app.request('GET', '/enrolled', learner);
    expect(page.status).toBe(200);
    const progress = Object.fromEntries(page.body.items.map((e: Json) => [e.courseId, e.progress]));
    expect(progress).toEqual({
      [course.id]: { completedModules: 2, totalModules: 3 },
      [other.id]: { completedModules: 0, totalModules: 0 },
    });
    expect(
      (await app.request('GET', '/enrolled', classmate)).body.items.map((e: Json) => e.progress),
    ).toEqual([{ completedModules: 1, totalModules: 3 }]);
  });
});
