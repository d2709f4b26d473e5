import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { waitFor } from '../../../e2e/stack/control';
import { sourceKeyOf } from '../src/domain/video-keys';
import { ContentUnderTest, expectProblem, type User } from './support/content-under-test';
import { generateClip, writePasswdPlaylist, writeTextFile } from './support/media';
import { streamedMultipartBody } from './support/multipart';

const UPLOAD_MAX_BYTES = 512 * 1024;

// jest ignores the integration project's testTimeout (a global option), so the file sets its own.
jest.setTimeout(120_000);

let app: ContentUnderTest;
let dir: string;
let owner: User;
let otherInstructor: User;
let admin: User;
let student: User;
let courseId: string;
const media = { clip: '', portrait: '', notes: '', passwdPlaylist: '' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-upload-test-'));
  app = await ContentUnderTest.start('upload', {
    UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES),
    // A spool folder nobody created, as the chart's /tmp/uploads on a pod's fresh emptyDir (the kind tier
    // found every upload failing with ENOENT there): the service makes it.
    UPLOAD_TMP_DIR: join(dir, 'spool', 'uploads'),
  });
  [owner, otherInstructor, admin, student] = await app.users('instructor', 'instructor', 'admin', 'student');
  [media.clip, media.portrait, media.notes, media.passwdPlaylist] = await Promise.all([
    generateClip(join(dir, 'lecture.mp4'), { width: 320, height: 240, seconds: 4 }),
    generateClip(join(dir, 'portrait.mp4'), { width: 240, height: 426, seconds: 2 }),
    writeTextFile(join(dir, 'notes.mp4')),
    writePasswdPlaylist(join(dir, 'playlist.mp4')),
  ]);
  courseId = await app.knownCourse(owner);
});
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `act` and checks it stored nothing: no object in the bucket, no row. */
async function expectNothingStored(act: () => Promise<void>): Promise<void> {
  const objectsBefore = await app.objectKeys();
  const rowsBefore = await app.videoCount();
  await act();
  expect(await app.objectKeys()).toEqual(objectsBefore);
  expect(await app.videoCount()).toBe(rowsBefore);
}

describe('POST /api/v1/content/upload', () => {
  it('stores the file, probes it and saves its metadata: 201, the row, the object with the same bytes', async () => {
    const bytes = await readFile(media.clip);
    const response = await app.upload(owner, courseId, media.clip, 'Week 1: consensus');

    expect(response.status).toBe(201);
    const video = response.body;
    expect(video).toMatchObject({
      courseId,
      title: 'Week 1: consensus',
      status: 'uploaded',
      progress: 0,
      width: 320,
      height: 240,
      sizeBytes: bytes.length,
      checksum: createHash('sha256').update(bytes).digest('hex'),
      container: 'mov',
      videoCodec: 'h264',
      audioCodec: 'aac',
      originalFilename: 'lecture.mp4',
      renditions: [],
      requestId: null,
      error: null,
      posterUrl: null,
    });
    expect(video.durationSeconds).toBeCloseTo(4, 0);
    expect(response.headers.get('location')).toBe(`/api/v1/content/${video.videoId}`);

    expect(await app.videoRow(video.videoId)).toMatchObject({
      course_id: courseId,
      uploaded_by: owner.id,
      status: 'uploaded',
      source_key: sourceKeyOf(video.videoId),
      source_format: 'mov',
      size_bytes: bytes.length,
      checksum_sha256: video.checksum,
    });
    const stored = await app.storage.get(sourceKeyOf(video.videoId));
    const storedBytes = Buffer.concat(await (stored as Readable).toArray());
    expect(storedBytes.equals(bytes)).toBe(true);
  });

  it('reads a portrait clip as taller than wide', async () => {
    const response = await app.upload(owner, courseId, media.portrait);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ width: 240, height: 426 });
  });

  it('lets an admin upload to any course', async () => {
    const response = await app.upload(admin, courseId, media.clip);
    expect(response.status).toBe(201);
    expect((await app.videoRow(response.body.videoId))!.uploaded_by).toBe(admin.id);
  });

  it('refuses another instructor (403) and a student (403), storing nothing', async () => {
    await expectNothingStored(async () => {
      expectProblem(await app.upload(otherInstructor, courseId, media.clip), 403);
      expectProblem(await app.upload(student, courseId, media.clip), 403);
    });
  });

  it('answers 401 without a token', async () => {
    await expectNothingStored(async () => {
      expectProblem(
        await app.uploadParts(undefined, [
          { name: 'courseId', value: courseId },
          { name: 'title', value: 'T' },
          { name: 'file', filename: 'a.mp4', content: await readFile(media.clip) },
        ]),
        401,
      );
    });
  });

  it('answers 404 for a course it has not heard of (or not yet), and for a deleted one', async () => {
    await expectNothingStored(async () => {
      expectProblem(await app.upload(owner, '00000000-0000-4000-8000-000000000000', media.clip), 404);
    });
    const doomed = await app.knownCourse(owner);
    await app.publish('Course-Deletion', doomed, {
      courseId: doomed,
      instructorId: owner.id,
      deletedAt: new Date().toISOString(),
    });
    await waitForDeleted(doomed);
    await expectNothingStored(async () => {
      expectProblem(await app.upload(owner, doomed, media.clip), 404);
    });
  });

  it('refuses a text file renamed .mp4 with 415 and keeps nothing', async () => {
    await expectNothingStored(async () => {
      const response = await app.upload(owner, courseId, media.notes);
      expectProblem(response, 415);
      expect(response.body.detail).toMatch(/not-media/);
    });
  });

  it('refuses a playlist naming file:///etc/passwd with 415, without reading the file it names', async () => {
    await expectNothingStored(async () => {
      const response = await app.upload(owner, courseId, media.passwdPlaylist);
      expectProblem(response, 415);
      // Kept under a name of ours, without the client's extension, the playlist is not even taken for
      // HLS by the probe; either way it is refused before anything it names is opened.
      expect(response.body.detail).toMatch(/not-media|refused-container/);
      expect(JSON.stringify(response.body)).not.toMatch(/root:/);
    });
  });

  it('refuses a file over the limit with 413 from its declared length, storing nothing', async () => {
    await expectNothingStored(async () => {
      const response = await app.uploadParts(owner, [
        { name: 'courseId', value: courseId },
        { name: 'title', value: 'Too big' },
        { name: 'file', filename: 'big.mp4', content: Buffer.alloc(UPLOAD_MAX_BYTES * 2, 1) },
      ]);
      expectProblem(response, 413);
    });
  });

  it('refuses a streamed (chunked) file over the limit with 413 once the limit is crossed, storing nothing', async () => {
    await expectNothingStored(async () => {
      const { body, contentType } = streamedMultipartBody(
        { courseId, title: 'Too big, streamed' },
        UPLOAD_MAX_BYTES * 4,
      );
      const response = await app.postUpload(owner, body, { 'content-type': contentType });
      expectProblem(response, 413);
    });
    // The connection pool and the service are fine afterwards.
    expect((await app.upload(owner, courseId, media.clip)).status).toBe(201);
  });

  it('accepts a streamed (chunked) file within the limit', async () => {
    const { body, contentType } = streamedMultipartBody({ courseId, title: 'Streamed' }, 1024);
    // 1 KiB of one repeated byte: stored and hashed fine, then refused by the probe.
    await expectNothingStored(async () => {
      expectProblem(await app.postUpload(owner, body, { 'content-type': contentType }), 415);
    });
  });

  it('refuses a file part that comes before the fields (400), storing nothing', async () => {
    await expectNothingStored(async () => {
      const response = await app.uploadParts(owner, [
        { name: 'file', filename: 'a.mp4', content: await readFile(media.clip) },
        { name: 'courseId', value: courseId },
        { name: 'title', value: 'File first' },
      ]);
      expectProblem(response, 400);
      expect(response.body.detail).toMatch(/must come before the file/);
    });
  });

  it.each([
    [
      'an unknown field',
      [
        { name: 'courseId', value: 'C' },
        { name: 'title', value: 'T' },
        { name: 'visibility', value: 'public' },
      ],
    ],
    [
      'a missing title',
      [
        { name: 'courseId', value: 'C' },
        { name: 'description', value: 'no title' },
      ],
    ],
    [
      'a blank title',
      [
        { name: 'courseId', value: 'C' },
        { name: 'title', value: '   ' },
      ],
    ],
    [
      'a course id that is not a UUID',
      [
        { name: 'courseId', value: 'not-a-uuid' },
        { name: 'title', value: 'T' },
      ],
    ],
    [
      'a field sent twice',
      [
        { name: 'courseId', value: 'C' },
        { name: 'title', value: 'T' },
        { name: 'title', value: 'U' },
      ],
    ],
  ])('answers 400 for %s, storing nothing', async (_case, fields) => {
    await expectNothingStored(async () => {
      const parts = fields.map((f) => ({ ...f, value: f.value === 'C' ? courseId : f.value }));
      const response = await app.uploadParts(owner, [
        ...parts,
        { name: 'file', filename: 'a.mp4', content: await readFile(media.clip) },
      ]);
      expectProblem(response, 400);
    });
  });

  it('answers 400 for a part after the file, a second file, or no file at all, storing nothing', async () => {
    const clip = await readFile(media.clip);
    const fields = [
      { name: 'courseId', value: courseId },
      { name: 'title', value: 'T' },
    ];
    await expectNothingStored(async () => {
      expectProblem(
        await app.uploadParts(owner, [
          ...fields,
          { name: 'file', filename: 'a.mp4', content: clip },
          { name: 'extra', value: 'x' },
        ]),
        400,
      );
      expectProblem(
        await app.uploadParts(owner, [
          ...fields,
          { name: 'file', filename: 'a.mp4', content: clip },
          { name: 'file', filename: 'b.mp4', content: clip },
        ]),
        400,
      );
      expectProblem(await app.uploadParts(owner, fields), 400);
      expectProblem(
        await app.uploadParts(owner, [...fields, { name: 'video', filename: 'a.mp4', content: clip }]),
        400,
      );
    });
  });

  it('answers 415 for a JSON body and 400 for an unknown query parameter', async () => {
    expectProblem(await app.request('POST', '/upload', owner, { body: { courseId, title: 'T' } }), 415);
    const response = await app.postUpload(owner, Buffer.from('x'), {
      'content-type': 'multipart/form-data; boundary=x',
    });
    expectProblem(response, 400);
    expectProblem(await app.request('POST', '/upload?draft=1', owner, { body: {} }), 400);
  });
});

async function waitForDeleted(courseId: string): Promise<void> {
  await waitFor(
    async () =>
      (await app.db.query('SELECT 1 FROM projected_courses WHERE course_id = $1 AND deleted', [courseId]))
        .rowCount === 1,
    {
      timeoutMs: 30_000,
    },
  );
}
