import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../e2e/stack/control';
import { Topics } from '@moocflix/platform-bus';
import {
  CALLER_KINDS,
  expectedAccess,
  statusOf,
  type CallerKind,
  type CourseState,
  type CourseUse,
} from '@moocflix/platform-bus/projections';
import { publishEvent, type ServiceUnderTest, type TestUser } from '@moocflix/platform-testing';
import { AssessmentsUnderTest } from '../../assessments/test/support/assessments-under-test';
import { essayQuestion } from '../../assessments/test/support/question-fixtures';
import { ContentUnderTest } from '../../content/test/support/content-under-test';
import { generateClip } from '../../content/test/support/media';
import { CoursesUnderTest } from '../../courses/test/support/courses-under-test';

/*
 * The platform's access rule (docs/access-rules.md, courseAccess in the kit), asserted over the
 * object routes of courses, content and assessments running side by side on the real stack. One
 * course, really created in courses, whose events (Course-*, Student-Enrolled, User-Update) reach
 * content and assessments over Kafka as in production. It goes published → unpublished → deleted.
 * In each state, every kind of caller calls every route, and the answer must be the table's:
 * 404 where the course does not exist for the caller, 403 where it is visible but the right is
 * missing, and otherwise the route's own answer (not 403 or 404; the route may still say 409
 * because, say, the video is not transcoded yet).
 */
jest.setTimeout(300_000);

let courses: CoursesUnderTest;
let content: ContentUnderTest;
let assessments: AssessmentsUnderTest;
let workDir: string;

type App = ServiceUnderTest;
/** A person known to every service: the same user id, a token from each service's test issuer. */
interface Person {
  kind: CallerKind | 'deactivated user';
  id: string;
  role: 'student' | 'instructor' | 'admin';
}
/** One token per service and person, signed once: a revocation then applies to the tokens in use. */
const tokens = new Map<string, Promise<string>>();
const as = async (app: App, person: Person): Promise<TestUser> => {
  const key = `${app.service.url} ${person.id}`;
  if (!tokens.has(key)) tokens.set(key, app.service.issuer.sign({ role: person.role, userId: person.id }));
  return { id: person.id, role: person.role, token: await tokens.get(key)! };
};

const ROLE_OF: Record<CallerKind, Person['role']> = {
  owner: 'instructor',
  admin: 'admin',
  'active student': 'student',
  'inactive student': 'student',
  'other user': 'student',
};
const people = Object.fromEntries(
  CALLER_KINDS.map((kind) => [kind, { kind, id: randomUUID(), role: ROLE_OF[kind] }]),
) as Record<CallerKind, Person>;

/** Enrolled, then deactivated: users revokes their tokens, so every service answers 401 first. */
const deactivated: Person = { kind: 'deactivated user', id: randomUUID(), role: 'student' };

let courseId: string;
let videoId: string;
let assessmentId: string;

interface Route {
  name: string;
  use: CourseUse;
  /** Callers the route is for at all (a student-only route asked by the owner is a role check, not this rule). */
  for?: CallerKind[];
  /** The answer's status (or a stand-in: 200 listed / 404 absent for the catalogue). */
  call: (person: Person) => Promise<number>;
}

const status = async (app: App, method: string, path: string, person: Person, body?: unknown) =>
  (await app.request(method, path, await as(app, person), body === undefined ? {} : { body })).status;

const STUDENTS: CallerKind[] = ['active student', 'inactive student', 'other user'];

const ROUTES: Route[] = [
  // courses
  {
    name: 'catalogue GET /courses (listed = 200, absent = 404)',
    use: 'see',
    call: async (person) => {
      const page = await courses.request(
        'GET',
        `?instructorId=${people.owner.id}&limit=100`,
        await as(courses, person),
      );
      if (page.status !== 200) return page.status;
      return (page.body.items as { id: string }[]).some((c) => c.id === courseId) ? 200 : 404;
    },
  },
  { name: 'GET /courses/:id', use: 'see', call: (p) => status(courses, 'GET', `/${courseId}`, p) },
  {
    name: 'GET /courses/:id/modules',
    use: 'see',
    call: (p) => status(courses, 'GET', `/${courseId}/modules`, p),
  },
  {
    // A fresh student each time: whether the course exists for them decides, not an earlier enrollment.
    name: 'POST /courses/:id/enroll',
    use: 'see',
    for: ['other user'],
    call: async () =>
      status(courses, 'POST', `/${courseId}/enroll`, {
        kind: 'other user',
        id: randomUUID(),
        role: 'student',
      }),
  },
  // content
  { name: 'GET /content/:videoId', use: 'watch', call: (p) => status(content, 'GET', `/${videoId}`, p) },
  {
    name: 'GET /content/:videoId/stream',
    use: 'watch',
    call: (p) => status(content, 'GET', `/${videoId}/stream`, p),
  },
  {
    name: 'GET /content/:videoId/poster',
    use: 'watch',
    call: (p) => status(content, 'GET', `/${videoId}/poster`, p),
  },
  // assessments
  {
    name: 'GET /assessments?courseId=',
    use: 'take-part',
    call: (p) => status(assessments, 'GET', `?courseId=${courseId}`, p),
  },
  {
    name: 'GET /assessments/:id',
    use: 'take-part',
    call: (p) => status(assessments, 'GET', `/${assessmentId}`, p),
  },
  {
    name: 'POST /assessments/:id/submit',
    use: 'take-part',
    for: STUDENTS,
    call: (p) => status(assessments, 'POST', `/${assessmentId}/submit`, p, { answers: {} }),
  },
  {
    name: 'GET /assessments/:id/results',
    use: 'take-part',
    call: (p) => status(assessments, 'GET', `/${assessmentId}/results`, p),
  },
];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'access-rules-'));
  courses = await CoursesUnderTest.start('accessrules');
  content = await ContentUnderTest.start('accessrules');
  assessments = await AssessmentsUnderTest.start('accessrules');

  const created = await courses.request('POST', '', await as(courses, people.owner), {
    body: { title: 'Access rules', description: 'One rule everywhere', published: true },
  });
  expect(created.status).toBe(201);
  courseId = created.body.id;
  for (const person of [people['active student'], people['inactive student'], deactivated]) {
    expect((await courses.request('POST', `/${courseId}/enroll`, await as(courses, person))).status).toBe(
      201,
    );
  }
  // Deactivation ends a student's enrollments (courses publishes Student-Enrolled inactive).
  const inactive = people['inactive student'];
  await courses.publishUserEvent(Topics.UserUpdate, {
    userId: inactive.id,
    email: `${inactive.id}@example.test`,
    name: 'Gone',
    role: 'student',
    status: 'deactivated',
    changed: ['status'],
    updatedAt: new Date().toISOString(),
  });
  await deactivate(deactivated);
  await waitForProjections({ published: true, deleted: false });

  const clip = await generateClip(join(workDir, 'clip.mp4'), { width: 160, height: 90, seconds: 1 });
  const upload = await content.upload(await as(content, people.owner), courseId, clip);
  expect(upload.status).toBe(201);
  videoId = upload.body.videoId;
  // The real chain of a module's video: content's Video-Uploaded (outbox, Kafka) reaches courses'
  // videos projection, and the course's own video may then be attached to a module.
  await waitFor(
    async () =>
      (await courses.db.query('SELECT course_id FROM known_videos WHERE video_id = $1', [videoId])).rows[0]
        ?.course_id === courseId,
    { timeoutMs: 60_000, description: 'courses to learn the uploaded video' },
  );
  const module = await courses.request('POST', `/${courseId}/modules`, await as(courses, people.owner), {
    body: { title: 'Lecture 1', videoId },
  });
  expect(module.status).toBe(201);
  const assessment = await assessments.request('POST', '', await as(assessments, people.owner), {
    body: { courseId, title: 'Quiz', type: 'assignment', questions: [essayQuestion] },
  });
  expect(assessment.status).toBe(201);
  assessmentId = assessment.body.id;
});

afterAll(async () => {
  await Promise.all([courses?.close(), content?.close(), assessments?.close()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** What the users service does on deactivation: User-Update (courses ends the enrollments) and Session-Revoked. */
async function deactivate(person: Person): Promise<void> {
  for (const app of [courses, content, assessments]) await as(app, person);
  await courses.publishUserEvent(Topics.UserUpdate, {
    userId: person.id,
    email: `${person.id}@example.test`,
    name: 'Deactivated',
    role: person.role,
    status: 'deactivated',
    changed: ['status'],
    updatedAt: new Date().toISOString(),
  });
  const nowSeconds = Math.floor(Date.now() / 1000);
  await publishEvent(courses.bus, Topics.SessionRevoked, {
    source: 'users',
    subject: person.id,
    data: {
      userId: person.id,
      issuedAtOrBefore: nowSeconds,
      expiresAt: nowSeconds + 3600,
      reason: 'deactivation',
    },
  });
  for (const app of [courses, content, assessments]) {
    await waitFor(
      async () => expect((await app.request('GET', '/nothing-here', await as(app, person))).status).toBe(401),
      {
        timeoutMs: 30_000,
      },
    );
  }
}

/** Until content and assessments have consumed the course's state and the enrollments. */
async function waitForProjections(state: { published: boolean; deleted: boolean }): Promise<void> {
  for (const app of [content, assessments]) {
    await waitFor(
      async () => {
        const { rows } = await app.db.query(
          `SELECT coalesce(c.published, true) AS published, c.deleted,
                  (SELECT array_agg(e.student_id || ':' || e.status ORDER BY e.student_id) FROM projected_enrollments e
                    WHERE e.course_id = c.course_id AND e.student_id IN ($2, $3, $4)) AS enrollments
             FROM projected_courses c WHERE c.course_id = $1`,
          [courseId, people['active student'].id, people['inactive student'].id, deactivated.id],
        );
        expect(rows[0]).toEqual({
          ...state,
          enrollments: [
            `${people['active student'].id}:active`,
            `${people['inactive student'].id}:inactive`,
            `${deactivated.id}:inactive`,
          ].sort(),
        });
      },
      { timeoutMs: 60_000 },
    );
  }
}

async function enterState(state: CourseState): Promise<void> {
  const owner = await as(courses, people.owner);
  if (state === 'unpublished') {
    expect((await courses.request('PUT', `/${courseId}`, owner, { body: { published: false } })).status).toBe(
      200,
    );
    await waitForProjections({ published: false, deleted: false });
  }
  if (state === 'deleted') {
    expect((await courses.request('DELETE', `/${courseId}`, owner)).status).toBe(204);
    await waitForProjections({ published: false, deleted: true });
  }
}

describe.each(['published', 'unpublished', 'deleted'] as const)('a %s course', (state) => {
  beforeAll(() => enterState(state));

  const cells = ROUTES.flatMap((route) =>
    (route.for ?? CALLER_KINDS).map((kind) => [route.name, kind, route] as const),
  );
  it.each(cells)('%s as %s', async (_name, kind, route) => {
    const decision = expectedAccess(state, kind, route.use);
    const answered = await route.call(people[kind]);
    if (decision === 'allowed')
      expect([answered, answered === 403 || answered === 404]).toEqual([answered, false]);
    else expect(answered).toBe(statusOf(decision));
  });

  it.each(ROUTES.filter((route) => !route.for).map((route) => [route.name, route] as const))(
    '%s as a deactivated user: 401',
    async (_name, route) => {
      expect(await route.call(deactivated)).toBe(401);
    },
  );
});
