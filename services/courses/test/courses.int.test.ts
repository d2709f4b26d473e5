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
let student: User;
let admin: User;

beforeAll(async () => {
  app = await CoursesUnderTest.start('courses');
  [owner, otherInstructor, student, admin] = await app.users('instructor', 'instructor', 'student', 'admin');
});
afterAll(async () => {
  await app?.close();
});

const courseRow = async (id: string) =>
  (await app.db.query('SELECT * FROM courses WHERE id = $1', [id])).rows[0];
const courseCount = async () =>
  (await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM courses')).rows[0]!.n;

describe('POST /api/v1/courses', () => {
  it('creates a course owned by the instructor: 201, the row, and one Course-Creation event keyed by the course id', async () => {
    const response = await app.request('POST', '', owner, {
      body: {
        title: 'Distributed Systems',
        description: 'Consensus, replication, clocks',
        category: 'computer-science',
        level: 'advanced',
        language: 'en',
        capacity: 30,
        enrollmentOpensAt: '2030-01-01T00:00:00Z',
        enrollmentClosesAt: '2030-02-01T00:00:00.000+01:00',
      },
    });

    expect(response.status).toBe(201);
    const course = response.body;
    expect(course).toMatchObject({
      title: 'Distributed Systems',
      description: 'Consensus, replication, clocks',
      instructorId: owner.id,
      published: false,
      category: 'computer-science',
      level: 'advanced',
      language: 'en',
      capacity: 30,
      enrollmentOpensAt: '2030-01-01T00:00:00.000Z',
      enrollmentClosesAt: '2030-01-31T23:00:00.000Z',
      version: 1,
    });
    expect(response.headers.get('location')).toBe(`/api/v1/courses/${course.id}`);
    expect(response.headers.get('etag')).toBe('"1"');

    const row = await courseRow(course.id);
    expect(row).toMatchObject({
      instructor_id: owner.id,
      title: 'Distributed Systems',
      capacity: 30,
      published: false,
      version: 1,
      deleted_at: null,
    });

    const [created] = await waitFor(
      () => {
        const events = app.eventsFor(Topics.CourseCreation, course.id);
        expect(events).toHaveLength(1);
        return events;
      },
      { timeoutMs: 20_000 },
    );
    expect(created!.key).toBe(course.id);
    expect(created!.event.data).toEqual({
      courseId: course.id,
      instructorId: owner.id,
      title: 'Distributed Systems',
      published: false,
      category: 'computer-science',
      capacity: 30,
      createdAt: course.createdAt,
    });
  });

  it('lets an admin create a course, which the admin then owns', async () => {
    const course = await app.createCourse(admin);
    expect(course.instructorId).toBe(admin.id);
  });

  it('refuses a student with 403 and an anonymous caller with 401, creating nothing', async () => {
    const before = await courseCount();
    expectProblem(await app.request('POST', '', student, { body: { title: 'Nope', description: 'x' } }), 403);
    expectProblem(
      await app.request('POST', '', undefined, { body: { title: 'Nope', description: 'x' } }),
      401,
    );
    expect(await courseCount()).toBe(before);
  });

  it.each([
    ['an unknown field', { title: 'T', description: 'd', capacty: 3 }],
    ['a missing title', { description: 'd' }],
    ['a title of the wrong type', { title: 42, description: 'd' }],
    ['a blank title', { title: '   ', description: 'd' }],
    ['a capacity given as a string', { title: 'T', description: 'd', capacity: '10' }],
    ['a zero capacity', { title: 'T', description: 'd', capacity: 0 }],
    ['a fractional capacity', { title: 'T', description: 'd', capacity: 1.5 }],
    ['published as a string', { title: 'T', description: 'd', published: 'yes' }],
    ['an unknown level', { title: 'T', description: 'd', level: 'expert' }],
    ['a malformed language', { title: 'T', description: 'd', language: 'english!' }],
    [
      'a date without a time zone',
      { title: 'T', description: 'd', enrollmentOpensAt: '2030-01-01T00:00:00' },
    ],
    [
      'a window that closes before it opens',
      {
        title: 'T',
        description: 'd',
        enrollmentOpensAt: '2030-02-01T00:00:00Z',
        enrollmentClosesAt: '2030-01-01T00:00:00Z',
      },
    ],
    ['an array body', [{ title: 'T', description: 'd' }]],
    ['a NUL character, which PostgreSQL text cannot hold', { title: 'T\u0000', description: 'd' }],
  ])('answers 400 problem+json for %s, creating nothing', async (_case, body) => {
    const before = await courseCount();
    const response = await app.request('POST', '', owner, { body });
    expectProblem(response, 400);
    expect(response.body.errors?.length).toBeGreaterThan(0);
    expect(await courseCount()).toBe(before);
  });

  it('answers 400 for a body that is not JSON and for an unknown query parameter', async () => {
    expectProblem(await app.request('POST', '', owner, { body: '{"title": ' }), 400);
    expectProblem(
      await app.request('POST', '?draft=1', owner, { body: { title: 'T', description: 'd' } }),
      400,
    );
  });
});

describe('GET /api/v1/courses/:id', () => {
  it('returns a published course to anyone signed in, with its version as ETag', async () => {
    const course = await app.createCourse(owner);
    for (const caller of [owner, otherInstructor, student, admin]) {
      const response = await app.request('GET', `/${course.id}`, caller);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(course);
      expect(response.headers.get('etag')).toBe('"1"');
    }
    expectProblem(await app.request('GET', `/${course.id}`, undefined), 401);
  });

  it('shows a draft only to its owner and admins; to others it does not exist (404)', async () => {
    const draft = await app.createCourse(owner, { published: false });
    expect((await app.request('GET', `/${draft.id}`, owner)).status).toBe(200);
    expect((await app.request('GET', `/${draft.id}`, admin)).status).toBe(200);
    expectProblem(await app.request('GET', `/${draft.id}`, otherInstructor), 404);
    expectProblem(await app.request('GET', `/${draft.id}`, student), 404);
  });

  it('answers 404 for an unknown id and 400 for an id that is not a UUID', async () => {
    expectProblem(await app.request('GET', `/${randomUUID()}`, owner), 404);
    expectProblem(await app.request('GET', '/not-a-uuid', owner), 400);
    expectProblem(await app.request('GET', `/${randomUUID()}?x=1`, owner), 400);
  });
});

describe('PUT /api/v1/courses/:id', () => {
  it('updates the owner’s course: 200, version+1 as ETag, the row, and a Course-Update event', async () => {
    const course = await app.createCourse(owner, { capacity: 10 });
    const response = await app.request('PUT', `/${course.id}`, owner, {
      body: { title: 'Renamed', category: 'math', capacity: null, published: false },
      headers: { 'if-match': '"1"' },
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: course.id,
      title: 'Renamed',
      category: 'math',
      capacity: null,
      published: false,
      version: 2,
    });
    expect(response.body.description).toBe(course.description);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(await courseRow(course.id)).toMatchObject({
      title: 'Renamed',
      category: 'math',
      capacity: null,
      version: 2,
    });

    const [updated] = await waitFor(
      () => {
        const events = app.eventsFor(Topics.CourseUpdate, course.id);
        expect(events).toHaveLength(1);
        return events;
      },
      { timeoutMs: 20_000 },
    );
    expect(updated!.key).toBe(course.id);
    expect(updated!.event.data).toMatchObject({
      courseId: course.id,
      instructorId: owner.id,
      title: 'Renamed',
      published: false,
      capacity: null,
      version: 2,
    });
  });

  it('answers 412 to a stale If-Match and changes nothing; without If-Match the last write wins', async () => {
    const course = await app.createCourse(owner);
    expect(
      (
        await app.request('PUT', `/${course.id}`, owner, {
          body: { title: 'First' },
          headers: { 'if-match': '"1"' },
        })
      ).status,
    ).toBe(200);

    const stale = await app.request('PUT', `/${course.id}`, owner, {
      body: { title: 'Second' },
      headers: { 'if-match': '"1"' },
    });
    expectProblem(stale, 412);
    expect(await courseRow(course.id)).toMatchObject({ title: 'First', version: 2 });

    const blind = await app.request('PUT', `/${course.id}`, owner, { body: { title: 'Third' } });
    expect(blind.status).toBe(200);
    expect(blind.body.version).toBe(3);
    expectProblem(
      await app.request('PUT', `/${course.id}`, owner, {
        body: { title: 'x' },
        headers: { 'if-match': 'garbage' },
      }),
      400,
    );
  });

  it('lets exactly one of two concurrent writers holding the same ETag win', async () => {
    const course = await app.createCourse(owner);
    const results = await Promise.all(
      ['A', 'B'].map((title) =>
        app.request('PUT', `/${course.id}`, owner, { body: { title }, headers: { 'if-match': '"1"' } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    expect((await courseRow(course.id)).version).toBe(2);
  });

  it('lets an admin update any course', async () => {
    const course = await app.createCourse(owner);
    const response = await app.request('PUT', `/${course.id}`, admin, { body: { published: false } });
    expect(response.status).toBe(200);
    expect(response.body.instructorId).toBe(owner.id);
  });

  it('refuses another instructor and a student with 403, leaving the course untouched (no BOLA)', async () => {
    const course = await app.createCourse(owner);
    for (const caller of [otherInstructor, student]) {
      expectProblem(await app.request('PUT', `/${course.id}`, caller, { body: { title: 'Hijacked' } }), 403);
    }
    expect(await courseRow(course.id)).toMatchObject({ title: course.title, version: 1 });
    expect(await app.outboxRows(Topics.CourseUpdate, course.id)).toHaveLength(0);
  });

  it('answers 404 for an unknown course', async () => {
    expectProblem(await app.request('PUT', `/${randomUUID()}`, owner, { body: { title: 'x' } }), 404);
  });

  it.each([
    ['an empty body', {}],
    ['an unknown field', { titel: 'x' }],
    ['a null title', { title: null }],
    ['a capacity of the wrong type', { capacity: true }],
    ['a negative capacity', { capacity: -5 }],
  ])('answers 400 for %s', async (_case, body) => {
    const course = await app.createCourse(owner);
    expectProblem(await app.request('PUT', `/${course.id}`, owner, { body }), 400);
    expect((await courseRow(course.id)).version).toBe(1);
  });

  it('answers 422 when the change would make the enrollment window end before it starts', async () => {
    const course = await app.createCourse(owner, { enrollmentOpensAt: '2030-01-10T00:00:00Z' });
    const response = await app.request('PUT', `/${course.id}`, owner, {
      body: { enrollmentClosesAt: '2030-01-01T00:00:00Z' },
    });
    expectProblem(response, 422);
    expect(response.body.reason).toBe('invalid-enrollment-window');
  });
});

describe('DELETE /api/v1/courses/:id', () => {
  it('refuses another instructor and a student with 403 (no BOLA)', async () => {
    const course = await app.createCourse(owner);
    for (const caller of [otherInstructor, student])
      expectProblem(await app.request('DELETE', `/${course.id}`, caller), 403);
    expect((await courseRow(course.id)).deleted_at).toBeNull();
  });

  it('soft-deletes the course: its modules vanish, reads answer 404, and Course-Deletion is emitted exactly once', async () => {
    const course = await app.createCourse(owner);
    for (const title of ['Intro', 'Outro']) {
      expect((await app.request('POST', `/${course.id}/modules`, owner, { body: { title } })).status).toBe(
        201,
      );
    }

    // Two deletes at once: the course lock lets one win; the other finds nothing left to delete.
    const results = await Promise.all([
      app.request('DELETE', `/${course.id}`, owner),
      app.request('DELETE', `/${course.id}`, owner),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 404]);

    expect((await courseRow(course.id)).deleted_at).toBeInstanceOf(Date);
    expect(
      (await app.db.query('SELECT 1 FROM course_modules WHERE course_id = $1', [course.id])).rowCount,
    ).toBe(0);
    expectProblem(await app.request('GET', `/${course.id}`, owner), 404);
    expectProblem(await app.request('GET', `/${course.id}/modules`, owner), 404);
    expectProblem(await app.request('PUT', `/${course.id}`, owner, { body: { title: 'Back?' } }), 404);
    expectProblem(await app.request('DELETE', `/${course.id}`, owner), 404);
    const list = await app.request('GET', `?instructorId=${owner.id}&limit=100`, owner);
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(course.id);

    const [deleted] = await waitFor(
      () => {
        const events = app.eventsFor(Topics.CourseDeletion, course.id);
        expect(events).toHaveLength(1);
        return events;
      },
      { timeoutMs: 20_000 },
    );
    expect(deleted!.key).toBe(course.id);
    expect(deleted!.event.data).toEqual({
      courseId: course.id,
      instructorId: owner.id,
      deletedAt: expect.any(String),
    });
    // Committed once, published, and no second copy shows up on Kafka later.
    expect(await app.outboxRows(Topics.CourseDeletion, course.id)).toEqual([{ published: true }]);
    await sleep(1500);
    expect(app.eventsFor(Topics.CourseDeletion, course.id)).toHaveLength(1);
  });

  it('lets an admin delete any course', async () => {
    const course = await app.createCourse(owner);
    expect((await app.request('DELETE', `/${course.id}`, admin)).status).toBe(204);
  });

  it('answers 400 for a body with fields', async () => {
    const course = await app.createCourse(owner);
    expectProblem(await app.request('DELETE', `/${course.id}`, owner, { body: { force: true } }), 400);
    expect((await courseRow(course.id)).deleted_at).toBeNull();
  });
});

describe('GET /api/v1/courses', () => {
  /** Courses in a category of their own, so this test's lists contain only this test's courses. */
  async function seedCatalogue() {
    const category = `cat-${randomUUID()}`;
    const published = [];
    for (const title of ['Delta', 'Alpha', 'Charlie', 'Bravo', 'Echo'])
      published.push(await app.createCourse(owner, { title, category }));
    const ownDraft = await app.createCourse(owner, { title: 'Draft of owner', category, published: false });
    const othersDraft = await app.createCourse(otherInstructor, {
      title: 'Draft of other',
      category,
      published: false,
    });
    return { category, published, ownDraft, othersDraft };
  }

  /** The service's order: creation time, ties (same millisecond) broken by id. */
  const newestFirst = <C extends { id: string; createdAt: string }>(courses: C[]): C[] =>
    [...courses].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (b.id < a.id ? -1 : 1));

  async function allPages(query: string, caller: User, limit: number): Promise<Json[]> {
    const items = [];
    let cursor: string | null = null;
    do {
      const response: { status: number; body: { items: Json[]; nextCursor: string | null } } =
        await app.request(
          'GET',
          `?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          caller,
        );
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...response.body.items);
      cursor = response.body.nextCursor;
    } while (cursor);
    return items;
  }

  it('pages newest first with a stable cursor, showing drafts only to their owner (and all to admins)', async () => {
    const { category, published, ownDraft, othersDraft } = await seedCatalogue();
    const ids = (items: { id: string }[]) => items.map((c) => c.id);

    const asStudent = await allPages(`category=${category}`, student, 2);
    expect(ids(asStudent)).toEqual(ids(newestFirst(published)));

    const asOwner = await allPages(`category=${category}`, owner, 2);
    expect(ids(asOwner)).toEqual(ids(newestFirst([...published, ownDraft])));

    const asAdmin = await allPages(`category=${category}`, admin, 3);
    expect(new Set(ids(asAdmin))).toEqual(new Set([...ids(published), ownDraft.id, othersDraft.id]));

    const oldestFirst = await allPages(`category=${category}&sort=createdAt`, student, 4);
    expect(ids(oldestFirst)).toEqual(ids(newestFirst(published).reverse()));
  });

  it('sorts by title in both directions and filters by instructor, publication and text', async () => {
    const { category, published, ownDraft } = await seedCatalogue();
    const titles = (items: { title: string }[]) => items.map((c) => c.title);
    expect(titles(await allPages(`category=${category}&sort=title`, student, 2))).toEqual([
      'Alpha',
      'Bravo',
      'Charlie',
      'Delta',
      'Echo',
    ]);
    expect(titles(await allPages(`category=${category}&sort=-title`, student, 2))).toEqual([
      'Echo',
      'Delta',
      'Charlie',
      'Bravo',
      'Alpha',
    ]);

    const byOther = await allPages(`category=${category}&instructorId=${otherInstructor.id}`, student, 10);
    expect(byOther).toEqual([]);
    const drafts = await allPages(`category=${category}&published=false`, owner, 10);
    expect(drafts.map((c) => c.id)).toEqual([ownDraft.id]);

    const word = `zyx${randomUUID().slice(0, 8)}`;
    const found = await app.createCourse(owner, { title: `Learning ${word}uvw`, category });
    const search = await app.request('GET', `?q=${word.toUpperCase()}&limit=10`, student);
    expect(search.body.items.map((c: { id: string }) => c.id)).toEqual([found.id]);
    expect((await app.request('GET', `?q=${encodeURIComponent('&|!')}`, student)).body.items).toEqual([]);
    expect(published).toHaveLength(5);
  });

  it.each([
    ['a negative limit', 'limit=-1'],
    ['a zero limit', 'limit=0'],
    ['a limit above 100', 'limit=10000'],
    ['a limit that is not a number', 'limit=ten'],
    ['an unknown parameter', 'owner=me'],
    ['a repeated parameter', 'category=a&category=b'],
    ['an unknown sort', 'sort=popularity'],
    ['published that is not a boolean', 'published=maybe'],
    ['a cursor we never issued', 'cursor=bm90LWEtY3Vyc29y'],
    ['a NUL character in a filter', 'instructorId=%00'],
    ['a NUL character in the search text', 'q=a%00b'],
  ])('answers 400 for %s', async (_case, query) => {
    expectProblem(await app.request('GET', `?${query}`, student), 400);
  });

  it('answers 400 for a cursor issued for another sort order', async () => {
    await app.createCourse(owner);
    await app.createCourse(owner);
    const first = await app.request('GET', '?limit=1&sort=title', student);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expectProblem(
      await app.request('GET', `?limit=1&sort=createdAt&cursor=${first.body.nextCursor}`, student),
      400,
    );
  });
});

describe('names from the users projection', () => {
  const announce = (user: User, name: string, role: 'instructor' | 'student', at: Date) =>
    app.publishUserEvent(Topics.UserUpdate, {
      userId: user.id,
      email: `${user.id}@example.com`,
      name,
      role,
      status: 'active',
      changed: ['name'],
      updatedAt: at.toISOString(),
    });

  it("a course carries its instructor's name once the users service announced it, and the newest one after a rename", async () => {
    const [teacher] = await app.users('instructor');
    const course = await app.createCourse(teacher!);
    // Not heard of yet: null, never the id or a guess.
    expect(course.instructorName).toBeNull();

    await announce(teacher!, 'Grace Hopper', 'instructor', new Date(Date.now() - 1000));
    await waitFor(
      async () =>
        expect((await app.request('GET', `/${course.id}`, student)).body.instructorName).toBe('Grace Hopper'),
      {
        timeoutMs: 30_000,
      },
    );
    await announce(teacher!, 'Rear Admiral Grace Hopper', 'instructor', new Date());
    await waitFor(
      async () => {
        const page = await app.request('GET', `?instructorId=${teacher!.id}`, student);
        expect(page.body.items.map((c: Json) => c.instructorName)).toEqual(['Rear Admiral Grace Hopper']);
      },
      { timeoutMs: 30_000 },
    );
    // The course row keeps its own copy (the catalogue reads no other table for it).
    expect((await courseRow(course.id)).instructor_name).toBe('Rear Admiral Grace Hopper');
    // A course created by an instructor already known stores the name at once.
    const second = await app.createCourse(teacher!);
    expect(second.instructorName).toBe('Rear Admiral Grace Hopper');
    expect((await courseRow(second.id)).instructor_name).toBe('Rear Admiral Grace Hopper');
    // A copy missing (a course created while the instructor's first event was being recorded) is
    // looked up in the projection instead: the answer is the same.
    await app.db.query('UPDATE courses SET instructor_name = NULL WHERE id = $1', [second.id]);
    expect((await app.request('GET', `/${second.id}`, student)).body.instructorName).toBe(
      'Rear Admiral Grace Hopper',
    );
    // The name is part of the representation, so its ETag moved with it: a cached copy revalidated
    // with the old ETag is not "304, unchanged" (it was "1" when created, before any name).
    const current = await app.request('GET', `/${course.id}`, student);
    expect(current.headers.get('etag')).not.toBe('"1"');
    const revalidated = await app.request('GET', `/${course.id}`, student, {
      headers: { 'if-none-match': '"1"' },
    });
    expect(revalidated.status).toBe(200);
    expect(revalidated.body.instructorName).toBe('Rear Admiral Grace Hopper');
    // Every answer that returns the course has it: an update's too.
    const updated = await app.request('PUT', `/${course.id}`, teacher!, {
      body: { title: 'Renamed' },
      headers: { 'if-match': current.headers.get('etag')! },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.instructorName).toBe('Rear Admiral Grace Hopper');
  });

  it("the roster names each student the users service announced; the others' name is null", async () => {
    const [teacher, known, unknown] = await app.users('instructor', 'student', 'student');
    const course = await app.createCourse(teacher!);
    await announce(known!, 'Ada Lovelace', 'student', new Date());
    await waitFor(
      async () =>
        expect((await app.db.query('SELECT name FROM known_users WHERE id = $1', [known!.id])).rows).toEqual([
          { name: 'Ada Lovelace' },
        ]),
      { timeoutMs: 30_000 },
    );
    for (const learner of [known!, unknown!]) {
      expect((await app.request('POST', `/${course.id}/enroll`, learner)).status).toBe(201);
    }
    const roster = await app.request('GET', `/${course.id}/enrollments`, teacher!);
    expect(roster.status).toBe(200);
    expect(Object.fromEntries(roster.body.items.map((e: Json) => [e.studentId, e.studentName]))).toEqual({
      [known!.id]: 'Ada Lovelace',
      [unknown!.id]: null,
    });
  });
});

describe('service endpoints', () => {
  it('serves its OpenAPI 3.1 document listing every route', async () => {
    const response = await app.service.request('GET', '/api/v1/courses/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths).sort()).toEqual([
      '/api/v1/courses',
      '/api/v1/courses/enrolled',
      '/api/v1/courses/{id}',
      '/api/v1/courses/{id}/enroll',
      '/api/v1/courses/{id}/enrollments',
      '/api/v1/courses/{id}/modules',
      '/api/v1/courses/{id}/modules/{moduleId}',
      '/api/v1/courses/{id}/modules/{moduleId}/progress',
      '/api/v1/courses/{id}/progress',
      '/api/v1/courses/{id}/progress/summary',
    ]);
  });

  it('is ready when its database answers', async () => {
    const response = await app.service.request('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.body.checks.database).toBe('ok');
  });
});
