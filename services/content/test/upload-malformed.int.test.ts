import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../e2e/stack/control';
import { RawConnection, type RawResponse } from '@moocflix/platform-testing';
import { BASE, ContentUnderTest, type User } from './support/content-under-test';
import { generateClip } from './support/media';

/**
 * Multipart uploads that end badly, sent byte for byte on a raw socket: the body ends (the client
 * still listens), the client disconnects, or it half-closes, at every point of the form. Each must
 * end only its own request — 4xx problem+json when someone is there to read it — and leave nothing
 * behind: no object in storage, no row, no temp file, no open file descriptor. The service runs in
 * this process, so an 'error' event nobody listens for would fail the test run itself.
 */

const UPLOAD_MAX_BYTES = 512 * 1024;
const BOUNDARY = '----malformed-test-boundary';

jest.setTimeout(180_000);

let app: ContentUnderTest;
let dir: string;
let uploadTmpDir: string;
let owner: User;
let otherInstructor: User;
let courseId: string;
let clip: Buffer;
let baseline: { objects: string[]; videos: number; fds: number };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-upload-malformed-'));
  uploadTmpDir = await mkdtemp(join(tmpdir(), 'content-upload-spool-'));
  app = await ContentUnderTest.start('malformed', {
    UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES),
    UPLOAD_TMP_DIR: uploadTmpDir,
    // Short body clocks, so a form whose end never comes is cut off within the test.
    HTTP_BODY_IDLE_TIMEOUT_MS: '1500',
    HTTP_BODY_GRACE_MS: '1500',
  });
  [owner, otherInstructor] = await app.users('instructor', 'instructor');
  courseId = await app.knownCourse(owner);
  clip = await readFile(
    await generateClip(join(dir, 'lecture.mp4'), { width: 160, height: 120, seconds: 2 }),
  );
  // One good upload first, so the pools (PostgreSQL, S3) have opened what they keep open.
  expect((await app.upload(owner, courseId, join(dir, 'lecture.mp4'))).status).toBe(201);
  await sleep(500);
  baseline = { objects: await app.objectKeys(), videos: await app.videoCount(), fds: await openFds() };
});
afterAll(async () => {
  await app?.close();
  for (const path of [dir, uploadTmpDir]) if (path) await rm(path, { recursive: true, force: true });
});

async function openFds(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

/** Descriptors of this process still open on a file under the upload temp dir. */
async function fdsUnderTmpDir(): Promise<string[]> {
  const targets = await Promise.all(
    (await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
  );
  return targets.filter((target) => target.startsWith(uploadTmpDir));
}

const field = (name: string, value: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const fileHead = (name = 'file') =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="lecture.mp4"\r\n` +
  'Content-Type: video/mp4\r\n\r\n';
const closing = `--${BOUNDARY}--\r\n`;

/** 400 KiB that are not a video: the file part of forms that never get as far as the probe. */
const bigFile = randomBytes(400 * 1024);
const fields = () => field('courseId', courseId) + field('title', 'Broken upload');

/**
 * Where a form can stop: each a prefix of a body, or a body complete but malformed. Built when a
 * test runs (the course and the clip exist only after beforeAll).
 */
function phases(): [string, Buffer][] {
  return [
    ['inside the headers of the first part', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-da`)],
    ['inside a text field', Buffer.from(field('courseId', courseId).slice(0, -20))],
    ['inside the headers of the file part', Buffer.from(fields() + fileHead().slice(0, 40))],
    ['inside the file', Buffer.concat([Buffer.from(fields() + fileHead()), bigFile.subarray(0, 300 * 1024)])],
    [
      'after the file, before the closing boundary',
      Buffer.concat([Buffer.from(fields() + fileHead()), bigFile, Buffer.from('\r\n')]),
    ],
    [
      'inside the closing boundary',
      Buffer.concat([
        Buffer.from(fields() + fileHead()),
        clip,
        Buffer.from(`\r\n--${BOUNDARY.slice(0, 10)}`),
      ]),
    ],
    ['a body with no boundary at all', Buffer.from('this is not a multipart body\r\n'.repeat(100))],
    [
      'a malformed part header',
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition form-data name=courseId\r\n\r\nx\r\n${closing}`),
    ],
    [
      'a text part with no name',
      Buffer.from(`${fields()}--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n${closing}`),
    ],
    [
      'a file part with no name',
      Buffer.concat([
        Buffer.from(`${fields()}--${BOUNDARY}\r\nContent-Disposition: form-data; filename="a.mp4"\r\n\r\n`),
        clip,
        Buffer.from(`\r\n${closing}`),
      ]),
    ],
    [
      'a second file cut short',
      Buffer.concat([
        Buffer.from(fields() + fileHead()),
        clip,
        Buffer.from(`\r\n${fileHead()}`),
        bigFile.subarray(0, 1000),
      ]),
    ],
    [
      'a file part misnamed, cut short',
      Buffer.concat([Buffer.from(fields() + fileHead('video')), bigFile.subarray(0, 100 * 1024)]),
    ],
    [
      'an invalid title, then the file cut short',
      Buffer.concat([
        Buffer.from(field('courseId', courseId) + field('title', '   ') + fileHead()),
        bigFile.subarray(0, 100 * 1024),
      ]),
    ],
  ];
}

function head(user: User, framing: string): string {
  return (
    `POST ${BASE}/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.token}\r\n` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n${framing}\r\n`
  );
}

/** Sends the body chunked and then ends it properly: the client is there to read the answer. */
async function sendEnded(body: Buffer, user = owner): Promise<RawResponse | null> {
  const connection = await RawConnection.open(app.service.url);
  try {
    await connection.write(head(user, 'Transfer-Encoding: chunked\r\n'));
    await connection.write(`${body.length.toString(16)}\r\n`);
    await connection.write(body);
    await connection.write('\r\n0\r\n\r\n');
    return await connection.response(20_000);
  } finally {
    connection.destroy();
  }
}

/** Declares more than it sends, sends `body`, then goes away (reset) or half-closes. */
async function sendThenLeave(body: Buffer, how: 'disconnects' | 'half-closes'): Promise<void> {
  const connection = await RawConnection.open(app.service.url);
  await connection.write(head(owner, `Content-Length: ${body.length + 4096}\r\n`));
  await connection.write(body);
  // Let the service get well into the form (storage and spool under way) before leaving.
  await sleep(300);
  if (how === 'disconnects') connection.destroy();
  else {
    connection.end();
    await connection.response(5000);
    connection.destroy();
  }
}

/** Everything is as before the request: objects, rows, temp files, descriptors. */
async function expectNothingLeft(): Promise<void> {
  await waitFor(
    async () => {
      expect(await readdir(uploadTmpDir)).toEqual([]);
      expect(await fdsUnderTmpDir()).toEqual([]);
      expect(await openFds()).toBeLessThanOrEqual(baseline.fds);
    },
    { timeoutMs: 20_000 },
  );
  expect(await app.objectKeys()).toEqual(baseline.objects);
  expect(await app.videoCount()).toBe(baseline.videos);
}

function expectBadRequest(response: RawResponse | null, status = 400): void {
  expect(response?.status).toBe(status);
  expect(response?.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response?.json).toMatchObject({ status });
}

describe('a multipart upload that ends badly', () => {
  const PHASE_NAMES = [
    'inside the headers of the first part',
    'inside a text field',
    'inside the headers of the file part',
    'inside the file',
    'after the file, before the closing boundary',
    'inside the closing boundary',
    'a body with no boundary at all',
    'a malformed part header',
    'a text part with no name',
    'a file part with no name',
    'a second file cut short',
    'a file part misnamed, cut short',
    'an invalid title, then the file cut short',
  ];
  const bodyOf = (name: string): Buffer => {
    const found = phases().find(([phase]) => phase === name);
    if (!found) throw new Error(`no phase "${name}"`);
    return found[1];
  };

  it('covers every phase', () => {
    expect(phases().map(([name]) => name)).toEqual(PHASE_NAMES);
  });

  describe.each(PHASE_NAMES)('%s', (name) => {
    it('body ended by the client: 400 problem+json, nothing left behind', async () => {
      expectBadRequest(await sendEnded(bodyOf(name)));
      await expectNothingLeft();
    });

    it('client disconnects: nothing left behind, the service stays up', async () => {
      await sendThenLeave(bodyOf(name), 'disconnects');
      await expectNothingLeft();
    });

    it('client half-closes: nothing left behind, the service stays up', async () => {
      await sendThenLeave(bodyOf(name), 'half-closes');
      await expectNothingLeft();
    });
  });

  it('a caller refused (403) while the file is still coming, cut short: 403, nothing left', async () => {
    const body = Buffer.concat([Buffer.from(fields() + fileHead()), bigFile.subarray(0, 200 * 1024)]);
    expectBadRequest(await sendEnded(body, otherInstructor), 403);
    await expectNothingLeft();
  });

  it('a form whose end never comes is cut off (408 problem+json), nothing left behind', async () => {
    const connection = await RawConnection.open(app.service.url);
    const body = Buffer.concat([Buffer.from(fields() + fileHead()), bigFile.subarray(0, 100 * 1024)]);
    await connection.write(head(owner, `Content-Length: ${body.length + 4096}\r\n`));
    await connection.write(body);
    // Nothing more is sent: the body idle timeout (1.5 s here) ends the request.
    expectBadRequest(await connection.response(30_000), 408);
    await connection.closed;
    await expectNothingLeft();
  });

  it('a file over the limit, streamed without a length: 413, nothing left behind', async () => {
    const connection = await RawConnection.open(app.service.url);
    await connection.write(head(owner, 'Transfer-Encoding: chunked\r\n'));
    const start = Buffer.from(fields() + fileHead());
    await connection.write(`${start.length.toString(16)}\r\n`);
    await connection.write(start);
    await connection.write('\r\n');
    const chunk = randomBytes(64 * 1024);
    // Up to four times the limit, or until the service stops reading.
    for (let sent = 0; sent < 4 * UPLOAD_MAX_BYTES && !connection.isClosed; sent += chunk.length) {
      if (!(await connection.write(`${chunk.length.toString(16)}\r\n`))) break;
      await connection.write(chunk);
      await connection.write('\r\n');
    }
    await connection.write(`\r\n${closing}`.length.toString(16) + `\r\n\r\n${closing}\r\n0\r\n\r\n`);
    expectBadRequest(await connection.response(20_000), 413);
    connection.destroy();
    await expectNothingLeft();
  });

  it('the service still answers afterwards: a good upload is stored', async () => {
    const connection = await RawConnection.open(app.service.url);
    const body = Buffer.concat([Buffer.from(fields() + fileHead()), clip, Buffer.from(`\r\n${closing}`)]);
    await connection.write(head(owner, `Content-Length: ${body.length}\r\n`));
    await connection.write(body);
    const response = await connection.response(30_000);
    connection.destroy();
    expect(response?.status).toBe(201);
    expect(await app.videoCount()).toBe(baseline.videos + 1);
    expect(await readdir(uploadTmpDir)).toEqual([]);
  });
});
