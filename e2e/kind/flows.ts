// The platform's end-to-end API flow, written once against base URLs so the same code runs against
// `make dev` (one origin), a kind cluster (one port-forward per service, e2e/kind/run.sh) or any
// installed release: signup → course → enroll → upload → transcode → stream → assessment →
// submit → grade → notification.
//
// Services talk through Kafka, so what one service learns from another (a new course, an
// enrollment) arrives a little later: calls that depend on it are retried while they answer 403 or
// 404, within a deadline. Nothing else is retried.

/** Base URL (scheme://host:port) of each service; the API paths are /api/v1/<service>/... */
export interface ApiEndpoints {
  users: string;
  courses: string;
  content: string;
  assessments: string;
  notifications: string;
}

/** Every service behind one origin, as `make dev` (http://localhost:8080) or an Ingress serves them. */
export function singleOrigin(url: string): ApiEndpoints {
  return { users: url, courses: url, content: url, assessments: url, notifications: url };
}

export interface FlowOptions {
  endpoints: ApiEndpoints;
  /** A short real video (e.g. ffmpeg -f lavfi testsrc, H.264 in MP4): it is uploaded and transcoded. */
  video: Uint8Array;
  /** How long the transcode may take (a cold transcoder pod, image pulls...). */
  transcodeTimeoutMs?: number;
  /** How long an event may take to reach another service. */
  propagationTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface FlowResult {
  instructor: { id: string; email: string };
  student: { id: string; email: string };
  /** The access tokens, for checks that go on from here (ffprobe as the student, more uploads, drills). */
  studentToken: string;
  instructorToken: string;
  courseId: string;
  videoId: string;
  renditions: { name: string; width: number; height: number }[];
  assessmentId: string;
  submissionId: string;
  /** What auto-grading gave at submission (null while the essay awaits the instructor). */
  autoScore: number | null;
  finalScore: number;
  notificationTypes: string[];
}

export class FlowError extends Error {
  constructor(step: string, detail: string) {
    super(`${step}: ${detail}`);
    this.name = 'FlowError';
  }
}

interface Answer {
  status: number;
  /** The parsed JSON body (undefined when not JSON); each step states the shape it relies on. */
  body: unknown;
  text: string;
}

interface Video {
  status: string;
  progress: number;
  error: unknown;
  renditions: { name: string; width: number; height: number }[];
}

type Service = keyof ApiEndpoints;

export async function runLearningFlow(options: FlowOptions): Promise<FlowResult> {
  const { endpoints } = options;
  const log = options.log ?? (() => undefined);
  const propagation = options.propagationTimeoutMs ?? 60_000;
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  async function call(
    service: Service,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const url = path.startsWith('/')
      ? `${endpoints[service]}${path}`
      : `${endpoints[service]}/api/v1/${service}${path ? `/${path}` : ''}`;
    const response = await fetch(url, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text };
  }

  function expectStatus(step: string, answer: Answer, ...statuses: number[]): Answer {
    if (!statuses.includes(answer.status)) {
      throw new FlowError(
        step,
        `expected HTTP ${statuses.join(' or ')}, got ${answer.status}: ${answer.text.slice(0, 500)}`,
      );
    }
    return answer;
  }

  /** Retries while the answer is 403/404 (the other service has not heard of it yet). */
  async function once(step: string, request: () => Promise<Answer>, ...statuses: number[]): Promise<Answer> {
    const deadline = Date.now() + propagation;
    for (;;) {
      const answer = await request();
      if (statuses.includes(answer.status)) return answer;
      if (![403, 404].includes(answer.status) || Date.now() > deadline)
        return expectStatus(step, answer, ...statuses);
      await sleep(500);
    }
  }

  async function account(role: 'instructor' | 'student') {
    const email = `${role}-${run}@moocflix.test`;
    const password = `correct horse battery ${run}`;
    const signup = expectStatus(
      `signup ${role}`,
      await call('users', 'POST', 'signup', undefined, { email, password, name: `E2E ${role}`, role }),
      201,
    );
    const login = expectStatus(
      `login ${role}`,
      await call('users', 'POST', 'login', undefined, { email, password }),
      200,
    );
    const token = login.body as { tokenType?: string; accessToken?: unknown } | undefined;
    if (token?.tokenType !== 'Bearer' || typeof token.accessToken !== 'string') {
      throw new FlowError(`login ${role}`, `no bearer token in ${login.text}`);
    }
    return { id: (signup.body as { id: string }).id, email, token: token.accessToken };
  }

  log('signup and login: an instructor and a student');
  const instructor = await account('instructor');
  const student = await account('student');

  log('the instructor creates a course');
  const course = expectStatus(
    'create course',
    await call('courses', 'POST', '', instructor.token, {
      title: `E2E course ${run}`,
      description: 'End-to-end flow',
      published: true,
    }),
    201,
  ).body as { id: string };
  const courseId = course.id;

  log('the student enrolls');
  expectStatus('enroll', await call('courses', 'POST', `${courseId}/enroll`, student.token), 201);
  expectStatus(
    'enroll again (idempotent)',
    await call('courses', 'POST', `${courseId}/enroll`, student.token),
    200,
  );

  log('the instructor uploads a video');
  const upload = await once(
    'upload',
    () => {
      const form = new FormData();
      form.set('courseId', courseId);
      form.set('title', `E2E video ${run}`);
      form.set('file', new Blob([options.video], { type: 'video/mp4' }), 'e2e.mp4');
      return call('content', 'POST', 'upload', instructor.token, form);
    },
    201,
  );
  const uploaded = upload.body as { videoId: string; status: string };
  const videoId = uploaded.videoId;
  if (uploaded.status !== 'uploaded')
    throw new FlowError('upload', `status ${uploaded.status}, expected uploaded`);

  log('the instructor asks for the transcode; the operator (or a worker) runs it');
  expectStatus('transcode', await call('content', 'POST', `${videoId}/transcode`, instructor.token), 202);
  const deadline = Date.now() + (options.transcodeTimeoutMs ?? 300_000);
  let video: Video;
  for (;;) {
    video = expectStatus('video status', await call('content', 'GET', videoId, instructor.token), 200)
      .body as Video;
    if (video.status === 'ready') break;
    if (video.status === 'failed')
      throw new FlowError('transcode', `video failed: ${JSON.stringify(video.error)}`);
    if (Date.now() > deadline)
      throw new FlowError('transcode', `still ${video.status} (${video.progress}%) after the deadline`);
    await sleep(1000);
  }
  if (!Array.isArray(video.renditions) || !video.renditions.length)
    throw new FlowError('transcode', 'ready without renditions');

  log('the enrolled student streams it: master playlist → rendition playlist → first segment');
  const master = await once('stream', () => call('content', 'GET', `${videoId}/stream`, student.token), 200);
  // Playlists name their URIs with playback tokens; relative ones resolve against the playlist's URL.
  const masterUrl = new URL(`${endpoints.content}/api/v1/content/${videoId}/stream`);
  const variantUrl = new URL(firstUri(master.text, 'master playlist'), masterUrl);
  const variantPlaylist = await fetch(variantUrl);
  const variantText = await variantPlaylist.text();
  if (variantPlaylist.status !== 200)
    throw new FlowError('rendition playlist', `GET ${variantUrl} answered ${variantPlaylist.status}`);
  const segmentUrl = new URL(firstUri(variantText, 'rendition playlist'), variantUrl);
  const segment = await fetch(segmentUrl);
  if (segment.status !== 200 || (await segment.arrayBuffer()).byteLength === 0) {
    throw new FlowError('segment', `GET ${segmentUrl} answered ${segment.status}`);
  }

  log('the instructor creates a quiz with an auto-graded and an essay question');
  const assessment = (
    await once(
      'create assessment',
      () =>
        call('assessments', 'POST', '', instructor.token, {
          courseId,
          title: `E2E quiz ${run}`,
          type: 'quiz',
          questions: [
            {
              kind: 'single',
              prompt: 'Which container does HLS use here?',
              points: 2,
              options: ['MPEG-TS', 'fMP4'],
              correct: 1,
            },
            { kind: 'essay', prompt: 'Why transcode to several renditions?', points: 3 },
          ],
        }),
      201,
    )
  ).body as { id: string; questions: { id: string }[] };
  const assessmentId = assessment.id;
  const [choice, essay] = assessment.questions;

  log('the student reads it (no answer key) and submits');
  const studentView = (
    await once('student view', () => call('assessments', 'GET', assessmentId, student.token), 200)
  ).body;
  if (JSON.stringify(studentView).includes('"correct"'))
    throw new FlowError('student view', 'the answer key is visible to a student');
  const submission = expectStatus(
    'submit',
    await call('assessments', 'POST', `${assessmentId}/submit`, student.token, {
      answers: { [choice!.id]: 1, [essay!.id]: 'One rendition per bandwidth, so every student can watch.' },
    }),
    201,
  ).body as { id: string; score: number | null };
  const autoScore = submission.score;

  log('the instructor grades the submission');
  const graded = expectStatus(
    'grade',
    await call(
      'assessments',
      'POST',
      `${assessmentId}/submissions/${submission.id}/grade`,
      instructor.token,
      { score: 4.5, feedback: 'Well argued.' },
    ),
    200,
  ).body as { score: number };
  const results = expectStatus(
    'results',
    await call('assessments', 'GET', `${assessmentId}/results`, student.token),
    200,
  ).body as { items?: { id: string; score: number | null }[] };
  if (!results.items?.some((s) => s.id === submission.id && s.score === 4.5)) {
    throw new FlowError('results', `the graded submission is not in ${JSON.stringify(results)}`);
  }

  log('the student is notified of the grade');
  const notificationDeadline = Date.now() + propagation;
  let types: string[] = [];
  for (;;) {
    const inbox = expectStatus('inbox', await call('notifications', 'GET', '', student.token), 200).body as {
      items: { type: string }[];
    };
    types = inbox.items.map((n) => n.type);
    if (types.includes('grading.completed')) break;
    if (Date.now() > notificationDeadline)
      throw new FlowError('notifications', `no grading.completed in ${JSON.stringify(types)}`);
    await sleep(500);
  }

  return {
    instructor: { id: instructor.id, email: instructor.email },
    student: { id: student.id, email: student.email },
    studentToken: student.token,
    instructorToken: instructor.token,
    courseId,
    videoId,
    renditions: video.renditions,
    assessmentId,
    submissionId: submission.id,
    autoScore,
    finalScore: graded.score,
    notificationTypes: types,
  };
}

/** The first URI line of an HLS playlist (tags start with #); EXT-X-MAP's URI counts first. */
function firstUri(playlist: string, what: string): string {
  for (const line of playlist.split('\n').map((l) => l.trim())) {
    const map = /^#EXT-X-MAP:.*URI="([^"]+)"/.exec(line);
    if (map) return map[1]!;
    if (line && !line.startsWith('#')) return line;
  }
  throw new FlowError(what, `no URI in:\n${playlist.slice(0, 500)}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
