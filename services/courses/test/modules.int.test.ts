import { randomUUID } from 'node:crypto';
import { CoursesUnderTest, type Json, type User } from './support/courses-under-test';
import { expectProblem } from '@moocflix/platform-testing';

// jest ignores the integration project's testTimeout (a global option), so the file sets its own:
// starting the service joins a Kafka consumer group, and events take a relay hop to arrive.
jest.setTimeout(60_000);

let app: CoursesUnderTest;
let owner: User;
let otherInstructor: User;
let student: User;
let admin: User;

beforeAll(async () => {
  app = await CoursesUnderTest.start('modules');
  [owner, otherInstructor, student, admin] = await app.users('instructor', 'instructor', 'student', 'admin');
});
afterAll(async () => {
  await app?.close();
});

/** The course's modules as stored: titles in position order, and the positions themselves. */
async function stored(courseId: string): Promise<{ titles: string[]; positions: number[] }> {
  const { rows } = await app.db.query<{ title: string; position: number }>(
    'SELECT title, position FROM course_modules WHERE course_id = $1 ORDER BY position',
    [courseId],
  );
  return { titles: rows.map((r) => r.title), positions: rows.map((r) => r.position) };
}

const dense = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function addModule(courseId: string, body: Record<string, unknown>, as: User = owner): Promise<Json> {
  const response = await app.request('POST', `/${courseId}/modules`, as, { body });
  expect(response.status).toBe(201);
  return response.body;
}

async function courseWithModules(
  titles: string[],
  fields: Record<string, unknown> = {},
): Promise<{ course: Json; modules: Json[] }> {
  const course = await app.createCourse(owner, fields);
  const modules: Json[] = [];
  for (const title of titles) modules.push(await addModule(course.id, { title }));
  return { course, modules };
}

describe('POST /api/v1/courses/:id/modules', () => {
  it('appends a module by default: 201 with the module, and the row', async () => {
    const course = await app.createCourse(owner);
    const videoId = await app.uploadedVideo(course.id, owner.id);
    const module = await addModule(course.id, { title: 'Welcome', description: 'Start here', videoId });
    expect(module).toEqual({
      id: expect.any(String),
      courseId: course.id,
      title: 'Welcome',
      description: 'Start here',
      position: 1,
      videoId,
    });
    const second = await addModule(course.id, { title: 'Next' });
    expect(second).toMatchObject({ position: 2, description: '', videoId: null });

    const { rows } = await app.db.query(
      'SELECT course_id, title, position, video_id FROM course_modules WHERE id = $1',
      [module.id],
    );
    expect(rows).toEqual([{ course_id: course.id, title: 'Welcome', position: 1, video_id: videoId }]);
  });

  it('inserts at a position, moving the later modules down; a position past the end appends', async () => {
    const { course } = await courseWithModules(['B', 'C']);
    expect((await addModule(course.id, { title: 'A', position: 1 })).position).toBe(1);
    expect((await addModule(course.id, { title: 'Z', position: 99 })).position).toBe(4);
    expect((await addModule(course.id, { title: 'B2', position: 3 })).position).toBe(3);
    expect(await stored(course.id)).toEqual({ titles: ['A', 'B', 'B2', 'C', 'Z'], positions: dense(5) });
  });

  it('keeps positions dense and unique under concurrent inserts', async () => {
    const course = await app.createCourse(owner);
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        app.request('POST', `/${course.id}/modules`, owner, { body: { title: `M${i}`, position: 1 } }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    const { titles, positions } = await stored(course.id);
    expect(positions).toEqual(dense(8));
    expect(new Set(titles).size).toBe(8);
  });

  it.each([
    ['an unknown field', { title: 'T', duration: 5 }],
    ['a missing title', { description: 'd' }],
    ['a title of the wrong type', { title: ['T'] }],
    ['position 0', { title: 'T', position: 0 }],
    ['a position given as a string', { title: 'T', position: '2' }],
    ['a video id that is not an id', { title: 'T', videoId: '../../etc/passwd' }],
  ])('answers 400 for %s, adding nothing', async (_case, body) => {
    const course = await app.createCourse(owner);
    expectProblem(await app.request('POST', `/${course.id}/modules`, owner, { body }), 400);
    expect((await stored(course.id)).titles).toEqual([]);
  });
});

describe('a module references only a video of its own course', () => {
  it('201 for a video announced a moment ago: the check waits for the projection', async () => {
    const course = await app.createCourse(owner);
    const videoId = randomUUID();
    // Published and attached at once, as a client does right after its upload's 201: the event may
    // not have been consumed yet when the request arrives.
    await app.publishVideoUploaded({ videoId, courseId: course.id, uploaderId: owner.id });
    const module = await addModule(course.id, { title: 'Fresh', videoId });
    expect(module.videoId).toBe(videoId);
  });

  it.each([
    [
      'a video of another instructor’s course',
      async () => app.uploadedVideo((await app.createCourse(otherInstructor)).id, otherInstructor.id),
    ],
    [
      'a video of another course of the same owner',
      async () => app.uploadedVideo((await app.createCourse(owner)).id, owner.id),
    ],
    ['a video nobody uploaded', async () => randomUUID()],
    ['an id content never gives a video (not a UUID: answered without waiting)', async () => 'lecture-1'],
  ])('404 problem+json for %s, on add and on edit, writing nothing', async (_case, videoOf) => {
    const videoId = await videoOf();
    const { course, modules } = await courseWithModules(['Kept']);
    expectProblem(
      await app.request('POST', `/${course.id}/modules`, owner, { body: { title: 'Stolen', videoId } }),
      404,
    );
    expectProblem(
      await app.request('PUT', `/${course.id}/modules/${modules[0].id}`, owner, {
        body: { title: 'Stolen', videoId },
      }),
      404,
    );
    const { rows } = await app.db.query(
      'SELECT title, position, video_id FROM course_modules WHERE course_id = $1',
      [course.id],
    );
    expect(rows).toEqual([{ title: 'Kept', position: 1, video_id: null }]);
  });

  it('an own video stays attached when another field of the module changes', async () => {
    const course = await app.createCourse(owner);
    const videoId = await app.uploadedVideo(course.id, owner.id);
    const module = await addModule(course.id, { title: 'A', videoId });
    const edited = await app.request('PUT', `/${course.id}/modules/${module.id}`, owner, {
      body: { title: 'B', videoId },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: 'B', videoId });
  });

  it('a redelivered or conflicting announcement never moves a video to another course', async () => {
    const course = await app.createCourse(owner);
    const videoId = await app.uploadedVideo(course.id, owner.id);
    const other = await app.createCourse(otherInstructor);
    await app.publishVideoUploaded({ videoId, courseId: other.id, uploaderId: otherInstructor.id });
    // The second announcement is consumed (or not) — either way the first course keeps the video.
    expectProblem(
      await app.request('POST', `/${other.id}/modules`, otherInstructor, { body: { title: 'X', videoId } }),
      404,
    );
    expect((await addModule(course.id, { title: 'Mine', videoId })).videoId).toBe(videoId);
  });
});

describe('GET /api/v1/courses/:id/modules', () => {
  it('lists the modules in position order, page by page', async () => {
    const { course } = await courseWithModules(['One', 'Two', 'Three', 'Four', 'Five']);
    const titles: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: { status: number; body: Json } = await app.request(
        'GET',
        `/${course.id}/modules?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        student,
      );
      expect(response.status).toBe(200);
      titles.push(...response.body.items.map((m: { title: string }) => m.title));
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor);
    expect(titles).toEqual(['One', 'Two', 'Three', 'Four', 'Five']);
    expect(pages).toBe(3);
  });

  it('hides a draft’s modules from everyone but its owner and admins (404)', async () => {
    const { course } = await courseWithModules(['Secret'], { published: false });
    expect((await app.request('GET', `/${course.id}/modules`, owner)).body.items).toHaveLength(1);
    expect((await app.request('GET', `/${course.id}/modules`, admin)).body.items).toHaveLength(1);
    expectProblem(await app.request('GET', `/${course.id}/modules`, otherInstructor), 404);
    expectProblem(await app.request('GET', `/${course.id}/modules`, student), 404);
  });

  it('answers 404 for an unknown course and 400 for bad paging', async () => {
    expectProblem(await app.request('GET', `/${randomUUID()}/modules`, owner), 404);
    const course = await app.createCourse(owner);
    for (const query of ['limit=-1', 'limit=10000', 'limit=x', 'page=2', 'cursor=%7B%7D']) {
      expectProblem(await app.request('GET', `/${course.id}/modules?${query}`, owner), 400);
    }
  });
});

describe('PUT /api/v1/courses/:id/modules/:moduleId', () => {
  it('edits a module and clears its video with null', async () => {
    const { course, modules } = await courseWithModules(['Old']);
    const videoId = await app.uploadedVideo(course.id, owner.id);
    const edited = await app.request('PUT', `/${course.id}/modules/${modules[0].id}`, owner, {
      body: { title: 'New', videoId },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: modules[0].id, title: 'New', videoId, position: 1 });
    const cleared = await app.request('PUT', `/${course.id}/modules/${modules[0].id}`, owner, {
      body: { videoId: null },
    });
    expect(cleared.body).toMatchObject({ title: 'New', videoId: null });
    const { rows } = await app.db.query('SELECT title, video_id FROM course_modules WHERE id = $1', [
      modules[0].id,
    ]);
    expect(rows).toEqual([{ title: 'New', video_id: null }]);
  });

  it('moves a module; the modules in between close up', async () => {
    const { course, modules } = await courseWithModules(['A', 'B', 'C', 'D']);
    const down = await app.request('PUT', `/${course.id}/modules/${modules[0].id}`, owner, {
      body: { position: 3 },
    });
    expect(down.body.position).toBe(3);
    expect(await stored(course.id)).toEqual({ titles: ['B', 'C', 'A', 'D'], positions: dense(4) });

    const up = await app.request('PUT', `/${course.id}/modules/${modules[3].id}`, owner, {
      body: { position: 1 },
    });
    expect(up.body.position).toBe(1);
    expect(await stored(course.id)).toEqual({ titles: ['D', 'B', 'C', 'A'], positions: dense(4) });

    const pastTheEnd = await app.request('PUT', `/${course.id}/modules/${modules[1].id}`, owner, {
      body: { position: 50 },
    });
    expect(pastTheEnd.body.position).toBe(4);
    expect(await stored(course.id)).toEqual({ titles: ['D', 'C', 'A', 'B'], positions: dense(4) });
  });

  it('answers 404 for an unknown module and for a module of another course', async () => {
    const { course } = await courseWithModules(['A']);
    const { modules: elsewhere } = await courseWithModules(['X']);
    expectProblem(
      await app.request('PUT', `/${course.id}/modules/${randomUUID()}`, owner, { body: { title: 'x' } }),
      404,
    );
    expectProblem(
      await app.request('PUT', `/${course.id}/modules/${elsewhere[0].id}`, owner, { body: { title: 'x' } }),
      404,
    );
  });

  it.each([
    ['an empty body', {}],
    ['an unknown field', { name: 'x' }],
    ['a null title', { title: null }],
    ['a negative position', { position: -1 }],
  ])('answers 400 for %s', async (_case, body) => {
    const { course, modules } = await courseWithModules(['A']);
    expectProblem(await app.request('PUT', `/${course.id}/modules/${modules[0].id}`, owner, { body }), 400);
    expect((await stored(course.id)).titles).toEqual(['A']);
  });

  it('answers 400 for a module id that is not a UUID', async () => {
    const course = await app.createCourse(owner);
    expectProblem(await app.request('PUT', `/${course.id}/modules/42`, owner, { body: { title: 'x' } }), 400);
  });
});

describe('DELETE /api/v1/courses/:id/modules/:moduleId', () => {
  it('deletes a module; the later ones move up', async () => {
    const { course, modules } = await courseWithModules(['A', 'B', 'C']);
    expect((await app.request('DELETE', `/${course.id}/modules/${modules[1].id}`, owner)).status).toBe(204);
    expect(await stored(course.id)).toEqual({ titles: ['A', 'C'], positions: dense(2) });
    expectProblem(await app.request('DELETE', `/${course.id}/modules/${modules[1].id}`, owner), 404);
    const listed = await app.request('GET', `/${course.id}/modules`, owner);
    expect(listed.body.items.map((m: { title: string; position: number }) => [m.title, m.position])).toEqual([
      ['A', 1],
      ['C', 2],
    ]);
  });
});

describe('module ownership (no BOLA)', () => {
  it('refuses another instructor, a student — and an admin, modules being the owner’s — with 403 on every module write', async () => {
    const { course, modules } = await courseWithModules(['A', 'B']);
    for (const caller of [otherInstructor, student, admin]) {
      expectProblem(
        await app.request('POST', `/${course.id}/modules`, caller, { body: { title: 'Injected' } }),
        403,
      );
      expectProblem(
        await app.request('PUT', `/${course.id}/modules/${modules[0].id}`, caller, {
          body: { title: 'Hijacked' },
        }),
        403,
      );
      expectProblem(
        await app.request('PUT', `/${course.id}/modules/${modules[0].id}`, caller, { body: { position: 2 } }),
        403,
      );
      expectProblem(await app.request('DELETE', `/${course.id}/modules/${modules[1].id}`, caller), 403);
    }
    expect(await stored(course.id)).toEqual({ titles: ['A', 'B'], positions: dense(2) });
  });

  it('answers 404 to others writing modules of a draft they cannot see', async () => {
    const { course, modules } = await courseWithModules(['A'], { published: false });
    for (const caller of [otherInstructor, student]) {
      expectProblem(
        await app.request('POST', `/${course.id}/modules`, caller, { body: { title: 'Injected' } }),
        404,
      );
      expectProblem(await app.request('DELETE', `/${course.id}/modules/${modules[0].id}`, caller), 404);
    }
    expect((await stored(course.id)).titles).toEqual(['A']);
  });
});
