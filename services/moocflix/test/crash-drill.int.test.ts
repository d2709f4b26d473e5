import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import { waitFor } from '../../../e2e/stack/control';

/**
 * The crash drill of `make dev`: the launcher on a fresh home, a burst of what users do (signups,
 * courses, enrollments, quiz submissions, an upload and its transcode), SIGKILL in the middle of it,
 * a restart on the same home, and then every request that got a 2xx must reach its end state, once:
 * each enrollment has its notifications and opens the course's video, each submission is graded and
 * notified, each course is known to the other services, the transcode ends `ready`.
 *
 * Two rounds: the first kills the launcher's process group (its PostgreSQL, in a group of its own,
 * is left running, as after a `kill -9` of the launcher alone); the second also kills PostgreSQL
 * (as a power cut would), so the next start recovers its WAL and cleans up after it.
 */
const MAIN = join(__dirname, '../src/main.ts');
const STUDENTS_PER_ROUND = 6;
const END_STATE_TIMEOUT_MS = 120_000;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 10 s 160x120 H.264 MP4 from ffmpeg's test source: some 25 KB, long enough to be mid-encode at the kill. */
async function tinyVideo(dir: string): Promise<Uint8Array> {
  const file = join(dir, 'tiny.mp4');
  // prettier-ignore
  await promisify(execFile)(resolveFfmpegBinaries().ffmpeg, [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=10',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '40', '-pix_fmt', 'yuv420p', file,
  ]);
  return readFileSync(file);
}

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- each call reads the fields it needs
}

/** Requests against the one origin of `make dev`; a refused connection (the launcher is dead) is status 0. */
function client(base: () => string) {
  async function call(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    try {
      const response = await fetch(`${base()}/api/v1/${path}`, { method, headers, body: payload });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      return { status: response.status, body: parsed };
    } catch {
      return { status: 0, body: undefined };
    }
  }

  /** Retries while another service has not heard of the course/enrollment yet (403/404), within a deadline. */
  async function propagated(request: () => Promise<Answer>, timeoutMs = 60_000): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await request();
      if (![403, 404].includes(answer.status) || Date.now() > deadline) return answer;
      await sleep(300);
    }
  }

  return { call, propagated };
}

describe('make dev crash drill', () => {
  let home: string;
  let base = '';
  let launcher: ChildProcess | undefined;
  let output = '';
  let env: Record<string, string | undefined>;
  const api = client(() => base);

  async function start(): Promise<void> {
    const startedAt = output.length;
    launcher = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the drill can kill the launcher and everything in its group at once.
      detached: true,
    });
    const child = launcher;
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`launcher exited with ${child.exitCode}`);
        return output.slice(startedAt).includes('MoocFlix ready on');
      },
      { timeoutMs: 150_000, intervalMs: 200 },
    ).catch((err) => {
      throw new Error(`launcher did not become ready: ${err}\n${output.slice(-5000)}`);
    });
  }

  async function killGroup(): Promise<void> {
    const child = launcher!;
    const exited = once(child, 'exit');
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    launcher = undefined;
  }

  const postmasterPid = (): number | undefined => {
    const file = join(home, 'pg', 'postmaster.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'moocflix-drill-'));
    // As root the embedded PostgreSQL runs as `postgres`, which must be able to enter the home.
    await chmod(home, 0o755);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      MOOCFLIX_HOME: home,
      MOOCFLIX_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    if (launcher && launcher.exitCode === null) await killGroup();
    // The launcher's log of every round, to read when the drill fails.
    await writeFile(join(tmpdir(), 'moocflix-crash-drill.log'), output);
    // A PostgreSQL left behind by a failed drill: immediate shutdown.
    const pid = postmasterPid();
    if (pid) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // not running
      }
      await sleep(2_000);
    }
    await rm(home, { recursive: true, force: true });
  });

  async function account(role: 'instructor' | 'student', name: string): Promise<{ id: string; token: string } | undefined> {
    const email = `${name}@drill.test`;
    const password = `drill passphrase ${name}`;
    const signup = await api.call('POST', 'users/signup', undefined, { email, password, name, role });
    if (signup.status !== 201) return undefined;
    const login = await api.call('POST', 'users/login', undefined, { email, password });
    if (login.status !== 200) return { id: signup.body.id, token: '' };
    return { id: signup.body.id, token: login.body.accessToken };
  }

  /** What got a 2xx before the kill: the end states to check after the restart. */
  const accepted = {
    students: [] as Array<{ id: string; email: string; password: string }>,
    enrollments: [] as Array<{ studentId: string; password: string; email: string }>,
    submissions: [] as Array<{ studentId: string; submissionId: string; email: string; password: string }>,
    courses: [] as string[],
    transcode: undefined as string | undefined,
  };

  let instructor: { id: string; token: string };
  let courseId: string;
  let assessmentId: string;
  let questionId: string;
  let video: Uint8Array;

  async function studentFlow(name: string): Promise<void> {
    const email = `${name}@drill.test`;
    const password = `drill passphrase ${name}`;
    const student = await account('student', name);
    if (!student) return;
    accepted.students.push({ id: student.id, email, password });
    if (!student.token) return;
    const enroll = await api.propagated(() => api.call('POST', `courses/${courseId}/enroll`, student.token));
    if (enroll.status !== 201) return;
    accepted.enrollments.push({ studentId: student.id, email, password });
    const submit = await api.propagated(() =>
      api.call('POST', `assessments/${assessmentId}/submit`, student.token, { answers: { [questionId]: 1 } }),
    );
    if (submit.status !== 201) {
      if (submit.status !== 0) output += `\n--- drill: ${name} submit answered ${submit.status}: ${JSON.stringify(submit.body)}\n`;
      return;
    }
    accepted.submissions.push({ studentId: student.id, submissionId: submit.body.id, email, password });
  }

  async function createCourse(title: string): Promise<void> {
    const created = await api.call('POST', 'courses', instructor.token, { title, description: 'drill', published: true });
    if (created.status === 201) accepted.courses.push(created.body.id);
  }

  async function uploadAndTranscode(): Promise<void> {
    const upload = await api.propagated(() => {
      const form = new FormData();
      form.set('courseId', courseId);
      form.set('title', 'Drill video');
      form.set('file', new Blob([video], { type: 'video/mp4' }), 'drill.mp4');
      return api.call('POST', 'content/upload', instructor.token, form);
    });
    if (upload.status !== 201) {
      if (upload.status !== 0) output += `\n--- drill: upload answered ${upload.status}: ${JSON.stringify(upload.body)}\n`;
      return;
    }
    const transcode = await api.call('POST', `content/${upload.body.videoId}/transcode`, instructor.token);
    if (transcode.status === 202) accepted.transcode = upload.body.videoId;
  }

  /** Runs the burst and kills the launcher once `ready()` holds (plus a random 50-250 ms), or after 90 s. */
  async function burst(round: number, work: Array<() => Promise<void>>, ready: () => boolean, kill: () => Promise<void>): Promise<void> {
    const running = Promise.all(work.map((w) => w()));
    const deadline = Date.now() + 90_000;
    while (!ready() && Date.now() < deadline) await sleep(10);
    await sleep(50 + Math.random() * 200);
    await kill();
    await running;
    output += `\n--- drill: round ${round} killed ---\n`;
  }

  it('comes back after SIGKILLs with every accepted request at its end state, exactly once', async () => {
    video = await tinyVideo(home);
    await start();

    // The stage: an instructor, a published course with an auto-graded quiz (known to assessments).
    const instructorName = `instructor-${Date.now()}`;
    instructor = (await account('instructor', instructorName))!;
    const course = await api.call('POST', 'courses', instructor.token, { title: 'Drill course', description: 'drill', published: true });
    expect(course.status).toBe(201);
    courseId = course.body.id;
    const quiz = await api.propagated(() =>
      api.call('POST', 'assessments', instructor.token, {
        courseId,
        title: 'Drill quiz',
        type: 'quiz',
        questions: [{ kind: 'single', prompt: 'Pick the second', points: 2, options: ['a', 'b'], correct: 1 }],
      }),
    );
    expect(quiz.status).toBe(201);
    assessmentId = quiz.body.id;
    questionId = quiz.body.questions[0].id;

    // Round 1: kill the launcher's process group mid-burst, right after the transcode was accepted:
    // its request is then with the transcoder (taken from the bus, not acknowledged yet).
    const students1 = Array.from({ length: STUDENTS_PER_ROUND }, (_, i) => () => studentFlow(`s1-${i}-${Date.now()}`));
    await burst(
      1,
      [...students1, () => createCourse('Drill extra 1'), uploadAndTranscode],
      () => accepted.transcode !== undefined,
      killGroup,
    );
    expect(accepted.transcode).toBeDefined();
    await start();

    // Round 2: kill the launcher and its PostgreSQL, as a power cut would.
    const submittedBefore = accepted.submissions.length;
    const students2 = Array.from({ length: STUDENTS_PER_ROUND }, (_, i) => () => studentFlow(`s2-${i}-${Date.now()}`));
    await burst(
      2,
      [...students2, () => createCourse('Drill extra 2')],
      () => accepted.submissions.length >= submittedBefore + 1,
      async () => {
        const postgres = postmasterPid();
        await killGroup();
        if (postgres) process.kill(postgres, 'SIGKILL');
      },
    );
    await start();

    expect(accepted.enrollments.length).toBeGreaterThanOrEqual(2);
    expect(accepted.submissions.length).toBeGreaterThan(0);

    // End states. Tokens are fresh: an access token may be refused until revocations are loaded.
    const login = async (email: string, password: string): Promise<string> => {
      const answer = await waitFor(
        async () => {
          const r = await api.call('POST', 'users/login', undefined, { email, password });
          return r.status === 200 && (r.body.accessToken as string);
        },
        { timeoutMs: 30_000 },
      );
      return answer;
    };
    const inbox = async (token: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> => {
      const items: Array<{ type: string; data: Record<string, unknown> }> = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const r = await api.call('GET', `notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
        if (r.status !== 200) throw new Error(`inbox answered ${r.status}`);
        items.push(...r.body.items);
        cursor = r.body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      return items;
    };
    const count = (items: Array<{ type: string; data: Record<string, unknown> }>, type: string, key: string, value: string) =>
      items.filter((n) => n.type === type && n.data[key] === value).length;

    const teacher = await login(`${instructorName}@drill.test`, `drill passphrase ${instructorName}`);
    // Each signup: the account works after the restart.
    for (const s of accepted.students) await login(s.email, s.password);

    // Each enrollment: the student's confirmation, the instructor's notice, and access to the course's video.
    for (const e of accepted.enrollments) {
      const token = await login(e.email, e.password);
      await waitFor(async () => count(await inbox(token), 'enrollment.confirmed', 'courseId', courseId) >= 1, {
        timeoutMs: END_STATE_TIMEOUT_MS,
        description: `the enrollment notification of ${e.email}`,
      });
      await waitFor(async () => (await api.call('GET', `content/${accepted.transcode}`, token)).status === 200, {
        timeoutMs: END_STATE_TIMEOUT_MS,
        description: `${e.email} to see the course's video`,
      });
    }
    // Each submission: graded on the spot, and notified to the student and to the instructor.
    for (const s of accepted.submissions) {
      const token = await login(s.email, s.password);
      const submission = await api.call('GET', `assessments/${assessmentId}/submissions/${s.submissionId}`, token);
      expect({ status: submission.status, graded: submission.body?.score !== null }).toEqual({ status: 200, graded: true });
      await waitFor(async () => count(await inbox(token), 'grading.completed', 'submissionId', s.submissionId) >= 1, {
        timeoutMs: END_STATE_TIMEOUT_MS,
        description: `the grade notification of ${s.submissionId}`,
      });
    }
    // Each course: known to the other services (an assessment can be created on it).
    for (const id of accepted.courses) {
      const created = await api.propagated(
        () =>
          api.call('POST', 'assessments', teacher, {
            courseId: id,
            title: 'After the crash',
            type: 'quiz',
            questions: [{ kind: 'single', prompt: 'Still here?', points: 1, options: ['yes', 'no'], correct: 0 }],
          }),
        END_STATE_TIMEOUT_MS,
      );
      expect({ course: id, status: created.status }).toEqual({ course: id, status: 201 });
    }
    // The transcode: ready, its request redelivered by the bus at the restart. Within 90 s, less than
    // the content service's transcode lease (120 s): it must not take the lease sweep's retry to get
    // there (that is the backstop for a transcoder that dies on its own, not for a lost message).
    await waitFor(
      async () => {
        const r = await api.call('GET', `content/${accepted.transcode}`, teacher);
        if (r.body?.status === 'failed') throw new Error(`the video failed: ${JSON.stringify(r.body.error)}`);
        return r.body?.status === 'ready';
      },
      { timeoutMs: 90_000, intervalMs: 1_000, description: 'the video to be ready' },
    );

    // Exactly once: no notification twice, everything the instructor was told about came once.
    const teacherInbox = await waitFor(
      async () => {
        const items = await inbox(teacher);
        const allIn =
          accepted.enrollments.every((e) => count(items, 'enrollment.new-student', 'studentId', e.studentId) >= 1) &&
          accepted.submissions.every((s) => count(items, 'submission.received', 'submissionId', s.submissionId) >= 1) &&
          count(items, 'transcoding.succeeded', 'videoId', accepted.transcode!) >= 1;
        return allIn && items;
      },
      { timeoutMs: END_STATE_TIMEOUT_MS, description: "every notification of the instructor's" },
    );
    for (const e of accepted.enrollments) expect(count(teacherInbox, 'enrollment.new-student', 'studentId', e.studentId)).toBe(1);
    for (const s of accepted.submissions) expect(count(teacherInbox, 'submission.received', 'submissionId', s.submissionId)).toBe(1);
    expect(count(teacherInbox, 'transcoding.succeeded', 'videoId', accepted.transcode!)).toBe(1);
    for (const e of accepted.enrollments) {
      const items = await inbox(await login(e.email, e.password));
      expect(count(items, 'enrollment.confirmed', 'courseId', courseId)).toBe(1);
      const own = accepted.submissions.filter((s) => s.studentId === e.studentId);
      for (const s of own) expect(count(items, 'grading.completed', 'submissionId', s.submissionId)).toBe(1);
    }
    const results = await api.call('GET', `assessments/${assessmentId}/results?limit=100`, teacher);
    expect(results.status).toBe(200);
    const submissionIds = (results.body.items as Array<{ submissions: Array<{ id: string }> }>).flatMap((student) =>
      student.submissions.map((s) => s.id),
    );
    expect(new Set(submissionIds).size).toBe(submissionIds.length);
    expect(submissionIds).toEqual(expect.arrayContaining(accepted.submissions.map((s) => s.submissionId)));

    // And it still stops cleanly.
    const exited = once(launcher!, 'exit');
    launcher!.kill('SIGTERM');
    const [code] = await exited;
    launcher = undefined;
    expect(code).toBe(0);
  }, 900_000);

  it('stops in order on SIGTERM during traffic: exit 0, no error in its log', async () => {
    const from = output.length;
    await start();
    const teacher = (await account('instructor', `sigterm-${Date.now()}`))!;
    let stop = false;
    let served = 0;
    // Writes that queue events (courses, enrollments need none of the others to answer first).
    const traffic = Array.from({ length: 4 }, async (_, worker) => {
      for (let i = 0; !stop && i < 500; i++) {
        const answer = await api.call('POST', 'courses', teacher.token, { title: `t${worker}-${i}`, description: 'x', published: true });
        if (answer.status === 201) served++;
        if (answer.status === 0) return;
      }
    });
    await waitFor(() => served >= 20, { timeoutMs: 60_000 });
    const exited = once(launcher!, 'exit');
    launcher!.kill('SIGTERM');
    const [code] = await exited;
    stop = true;
    await Promise.all(traffic);
    launcher = undefined;

    const log = output.slice(from);
    expect(code).toBe(0);
    const lines = log.split('\n').filter((l) => l.startsWith('{'));
    const levelOf = (line: string): number => (JSON.parse(line) as { level: number }).level;
    // No error or fatal line, and no warning of something losing its database or bus mid-shutdown.
    expect(lines.filter((l) => levelOf(l) >= 50)).toEqual([]);
    expect(lines.filter((l) => levelOf(l) === 40 && /database|terminat|connection|bus/i.test(l))).toEqual([]);
    expect(log).toContain('"msg":"shut down"');
  }, 300_000);
});
