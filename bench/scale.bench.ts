import type autocannon from 'autocannon';
import pg from 'pg';
import { encodeCursor } from '@moocflix/platform-http';
import type { Queryable } from '@moocflix/platform-db';
import { listCourses } from '../services/courses/src/data/course-repository';
import { countActiveSeats, findCourseAndStanding, listCourseEnrollments } from '../services/courses/src/data/enrollment-repository';
import { enrollmentRequests, signStudents, startCoursesBench, type CoursesBench } from './courses.bench';
import { formatMeasurement, measure, type BenchResult, type Measurement } from './harness';
import { sized } from './profile';

/**
 * The catalogue and enrollment at scale: the courses service measured on its small seeded database,
 * then again after COURSES courses and ENROLLMENTS enrollments are bulk-loaded into the same tables
 * with generate_series (seconds, not hours through the API). Goal: each p99 at scale within 1.5× of
 * the small database's — the first page and a deep page of the keyset listing alike, and enroll —
 * and no sequential scan in the plans of the hot queries, which are printed. The plans are the
 * repository functions' own SQL, captured and EXPLAINed, so the bench follows the code.
 * Latency is measured at 10 connections: at 50, p99 is mostly queueing on 2 cores.
 */
const COURSES = sized(1_000_000, 10_000);
const ENROLLMENTS = sized(10_000_000, 100_000);
const CONNECTIONS = 10;
const GOAL = 1.5;

interface Side {
  first: Measurement;
  deep: Measurement;
  enroll: Measurement;
}

let measured: Promise<{ small: Side; large: Side; plans: Record<string, string>; loadSeconds: number }> | undefined;

export async function scaleListBench(): Promise<BenchResult> {
  const m = await (measured ??= measureScale());
  const worst = Math.max(m.large.first.p99Ms / m.small.first.p99Ms, m.large.deep.p99Ms / m.small.deep.p99Ms);
  const seqScans = plansWithSeqScan(m.plans, ['list first page', 'list deep page']);
  return {
    name: `courses at scale: catalogue p99 with ${COURSES.toLocaleString('en')} courses vs the small database`,
    baseline: `small: first page ${formatMeasurement(m.small.first)}; deep page ${formatMeasurement(m.small.deep)}`,
    candidate: `large: first page ${formatMeasurement(m.large.first)}; deep page ${formatMeasurement(m.large.deep)}`,
    ratio: worst,
    goal: `≤ ${GOAL} (p99 large / small, first and deep page), no sequential scan`,
    met: worst <= GOAL && seqScans.length === 0 && m.large.first.errors + m.large.deep.errors === 0,
    details: `${CONNECTIONS} connections; bulk load ${m.loadSeconds.toFixed(0)} s${seqScans.length ? `; SEQ SCAN in ${seqScans.join(', ')}` : ''}\n${formatPlans(m.plans, ['list first page', 'list deep page'])}`,
    measurements: { smallFirst: m.small.first, smallDeep: m.small.deep, largeFirst: m.large.first, largeDeep: m.large.deep },
  };
}

export async function scaleEnrollBench(): Promise<BenchResult> {
  const m = await (measured ??= measureScale());
  const ratio = m.large.enroll.p99Ms / m.small.enroll.p99Ms;
  const seqScans = plansWithSeqScan(m.plans, ['enroll: course and standing', 'enroll: active seats', "owner's enrollment list"]);
  return {
    name: `courses at scale: enroll p99 with ${ENROLLMENTS.toLocaleString('en')} enrollments vs the small database`,
    baseline: `small: ${formatMeasurement(m.small.enroll)}`,
    candidate: `large: ${formatMeasurement(m.large.enroll)}`,
    ratio,
    goal: `≤ ${GOAL} (p99 large / small), no sequential scan`,
    met: ratio <= GOAL && seqScans.length === 0 && m.large.enroll.errors === 0,
    details: `${CONNECTIONS} connections${seqScans.length ? `; SEQ SCAN in ${seqScans.join(', ')}` : ''}\n${formatPlans(m.plans, ['enroll: course and standing', 'enroll: active seats', "owner's enrollment list"])}`,
    measurements: { small: m.small.enroll, large: m.large.enroll },
  };
}

async function measureScale(): Promise<{ small: Side; large: Side; plans: Record<string, string>; loadSeconds: number }> {
  const bench = await startCoursesBench();
  try {
    const students = await signStudents(bench.issuer, 'scale-student', 200);
    const viewer = await bench.issuer.sign({ role: 'student', expiresInSeconds: 3600 });
    const db = new pg.Client({ connectionString: bench.databaseUrl });
    await db.connect();
    try {
      const small = await measureSide(bench, db, viewer, enrollmentRequests(bench.courseIds, students));
      const started = Date.now();
      await bulkLoad(db);
      const loadSeconds = (Date.now() - started) / 1000;
      const sample = await db.query<{ id: string }>('SELECT id FROM courses WHERE published ORDER BY random() LIMIT 500');
      const large = await measureSide(bench, db, viewer, enrollmentRequests(sample.rows.map((r) => r.id), students));
      return { small, large, plans: await capturePlans(db), loadSeconds };
    } finally {
      await db.end();
    }
  } finally {
    await bench.stop();
  }
}

/** The first page, a page half-way down the catalogue, and enrollments of new pairs. */
async function measureSide(bench: CoursesBench, db: pg.Client, token: string, enrollments: autocannon.Request[]): Promise<Side> {
  const headers = { authorization: `Bearer ${token}` };
  const first = `${bench.service.url}/api/v1/courses?limit=20`;
  const deep = `${bench.service.url}/api/v1/courses?limit=20&cursor=${encodeURIComponent(await deepCursor(db))}`;
  const probe = await fetch(deep, { headers });
  if (probe.status !== 200) throw new Error(`the deep page answered ${probe.status}: ${await probe.text()}`);
  // Warm-up (JIT, pool, plan cache, the indexes' pages), not counted.
  await measure({ url: first, headers, connections: CONNECTIONS, durationSeconds: 1 });
  await measure({ url: deep, headers, connections: CONNECTIONS, durationSeconds: 1 });
  await measure({ url: bench.service.url, requests: enrollments, connections: CONNECTIONS, durationSeconds: 2 });
  return {
    first: await measure({ url: first, headers, connections: CONNECTIONS }),
    deep: await measure({ url: deep, headers, connections: CONNECTIONS }),
    enroll: await measure({ url: bench.service.url, requests: enrollments, connections: CONNECTIONS }),
  };
}

/** A cursor pointing half-way down the newest-first catalogue, as the API would have issued it. */
async function deepCursor(db: pg.Client): Promise<string> {
  const { rows } = await db.query<{ id: string; created_at: Date }>(
    `SELECT id, created_at FROM courses WHERE deleted_at IS NULL AND published
      ORDER BY created_at DESC, id DESC OFFSET (SELECT count(*) / 2 FROM courses) LIMIT 1`,
  );
  const row = rows[0];
  if (!row) throw new Error('no course to point a deep cursor at');
  return encodeCursor({ s: '-createdAt', v: row.created_at.toISOString(), id: row.id });
}

/**
 * Loads the generated rows the way one bulk-loads PostgreSQL: the tables' indexes dropped and
 * rebuilt afterwards (the same definitions, read from pg_indexes), foreign-key triggers off for the
 * session (superuser), then ANALYZE, so the planner sees the new sizes.
 */
async function bulkLoad(db: pg.Client): Promise<void> {
  const { rows: indexes } = await db.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes
      WHERE tablename IN ('courses', 'enrollments') AND indexdef NOT LIKE 'CREATE UNIQUE INDEX%'`,
  );
  for (const index of indexes) await db.query(`DROP INDEX ${pg.escapeIdentifier(index.indexname)}`);
  await db.query('SET session_replication_role = replica');
  await db.query("SET maintenance_work_mem = '256MB'");
  await db.query(
    // Instructors known to the users projection (as after signup): each row carries its copy of the name.
    `INSERT INTO courses (instructor_id, instructor_name, title, description, category, published, created_at, updated_at)
     SELECT 'scale-instructor-' || (g % 10000), 'Instructor ' || (g % 10000), 'Generated course ' || g, 'Generated for the scale benchmark',
            (ARRAY['math', 'computing', 'art', 'biology', 'history'])[1 + g % 5], g % 10 <> 0,
            date_trunc('milliseconds', now()) - make_interval(secs => g), now()
       FROM generate_series(1, $1::int) AS g`,
    [COURSES],
  );
  await db.query(`CREATE TEMP TABLE scale_courses AS SELECT id, row_number() OVER () AS n FROM courses`);
  await db.query('CREATE INDEX ON scale_courses (n)');
  await db.query(
    `INSERT INTO enrollments (course_id, student_id, status, enrolled_at)
     SELECT c.id, 'scale-learner-' || g, 'active', date_trunc('milliseconds', now()) - make_interval(secs => g)
       FROM generate_series(1, $1::int) AS g JOIN scale_courses c ON c.n = 1 + g % $2::int`,
    [ENROLLMENTS, COURSES],
  );
  await db.query('SET session_replication_role = DEFAULT');
  for (const index of indexes) await db.query(index.indexdef);
  // VACUUM sets the visibility map (index-only scans, no hint-bit writes on the first reads) and
  // ANALYZE the statistics; the CHECKPOINT flushes the load now, not during the measurement.
  await db.query('VACUUM ANALYZE courses');
  await db.query('VACUUM ANALYZE enrollments');
  await db.query('CHECKPOINT');
}

/**
 * EXPLAIN of the hot queries as the repository functions build them: a Queryable that EXPLAINs
 * each statement it is given (named statements included) instead of running it.
 */
async function capturePlans(db: pg.Client): Promise<Record<string, string>> {
  const plans: Record<string, string> = {};
  const explaining = (label: string): Queryable =>
    ({
      query: async (textOrConfig: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
        const text = typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text;
        const params = typeof textOrConfig === 'string' ? values : textOrConfig.values;
        const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params);
        plans[label] = (plans[label] ? plans[label] + '\n' : '') + rows.map((r) => r['QUERY PLAN']).join('\n');
        return { rows: [], rowCount: 0 };
      },
    }) as unknown as Queryable;
  const { rows } = await db.query<{ id: string; created_at: Date }>('SELECT id, created_at FROM courses ORDER BY random() LIMIT 1');
  const course = rows[0]!;
  const viewer = { userId: 'scale-viewer', seesAllDrafts: false };
  const ignoreEmpty = (p: Promise<unknown>) => p.catch(() => undefined);
  await ignoreEmpty(listCourses(explaining('list first page'), { viewer, sort: '-createdAt', limit: 21 }));
  await ignoreEmpty(listCourses(explaining('list deep page'), { viewer, sort: '-createdAt', limit: 21, after: { value: course.created_at.toISOString(), id: course.id } }));
  await ignoreEmpty(findCourseAndStanding(explaining('enroll: course and standing'), course.id, 'scale-learner-1'));
  await ignoreEmpty(countActiveSeats(explaining('enroll: active seats'), course.id));
  await ignoreEmpty(listCourseEnrollments(explaining("owner's enrollment list"), course.id, { limit: 21 }));
  return plans;
}

function plansWithSeqScan(plans: Record<string, string>, labels: string[]): string[] {
  return labels.filter((label) => /Seq Scan on (courses|enrollments)\b/.test(plans[label] ?? ''));
}

function formatPlans(plans: Record<string, string>, labels: string[]): string {
  return labels.map((label) => `  plan, ${label}:\n    ${(plans[label] ?? '(not captured)').replaceAll('\n', '\n    ')}`).join('\n');
}
