import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../e2e/stack/control';
import { Topics } from '@moocflix/platform-bus';
import { schedulePurge } from '../src/data/storage-purge-repository';
import { sourceKeyOf, videoFolderOf } from '../src/domain/video-keys';
import { ContentUnderTest, expectProblem, type User } from './support/content-under-test';
import { playEveryVariant } from './support/hls-player';
import { generateClip } from './support/media';
import { startTranscoderWorker } from './support/transcoder-worker';

// Unreferenced video objects are deleted: a replaced transcoder run's, a deleted course's videos'.
// The REAL transcoder worker runs every transcode; storage is the stack's S3 server.
const TRANSCODE_TIMEOUT_MS = 240_000;
jest.setTimeout(TRANSCODE_TIMEOUT_MS + 60_000);

let app: ContentUnderTest;
let transcoder: { close(): Promise<void> };
let dir: string;
let clip: string;
let owner: User;
let admin: User;
let student: User;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-storage-cleanup-test-'));
  // A short sweep interval: the tests do not wait a minute for the safety net.
  app = await ContentUnderTest.start('cleanup', { STORAGE_PURGE_SWEEP_INTERVAL_MS: '500' });
  transcoder = await startTranscoderWorker(app.storage);
  [owner, admin, student] = await app.users('instructor', 'admin', 'student');
  clip = await generateClip(join(dir, 'lecture.mp4'), { width: 320, height: 240, seconds: 2 });
}, TRANSCODE_TIMEOUT_MS);

afterAll(async () => {
  await transcoder?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function courseWithStudent(): Promise<string> {
  const courseId = await app.knownCourse(owner);
  await app.enroll(student, courseId, owner.id);
  return courseId;
}

async function uploaded(courseId: string): Promise<string> {
  const response = await app.upload(owner, courseId, clip);
  expect(response.status).toBe(201);
  return response.body.videoId;
}

/** Requests a transcode and waits for its outcome; returns the row once it is `status`. */
async function transcode(videoId: string, status: 'ready' | 'failed'): Promise<Record<string, unknown>> {
  const response = await app.request('POST', `/${videoId}/transcode`, owner);
  expect(response.status).toBe(202);
  const requestId = response.body.requestId;
  await waitFor(
    async () => {
      const { body } = await app.request('GET', `/${videoId}`, owner);
      expect(body.requestId).toBe(requestId);
      if (status === 'ready' && body.status === 'failed')
        throw new Error(`transcoding failed: ${body.error}`);
      expect(body.status).toBe(status);
    },
    { timeoutMs: TRANSCODE_TIMEOUT_MS, intervalMs: 500 },
  );
  return (await app.videoRow(videoId))!;
}

/** Fetches the master playlist and every rendition and segment it names, as a player does. */
async function expectPlays(videoId: string): Promise<void> {
  const stream = await app.request('GET', `/${videoId}/stream`, student);
  expect(stream.status).toBe(200);
  const video = (await app.request('GET', `/${videoId}`, student)).body;
  const variants = await playEveryVariant(app, stream.body, dir);
  expect(variants.length).toBe(video.renditions.length);
  expect(variants.length).toBeGreaterThanOrEqual(1);
}

async function waitUntilGone(prefix: string): Promise<void> {
  await waitFor(async () => expect(await app.objectKeys(prefix)).toEqual([]), {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: `every object under ${prefix} to be purged`,
  });
}

describe('re-transcoding', () => {
  let courseId: string;
  let videoId: string;

  beforeAll(async () => {
    courseId = await courseWithStudent();
    videoId = await uploaded(courseId);
  });

  it('purges the previous run’s outputs once the new run is served, and the new one plays', async () => {
    const first = await transcode(videoId, 'ready');
    const firstPrefix = first.playback_prefix as string;
    expect(await app.objectKeys(firstPrefix)).not.toEqual([]);

    const second = await transcode(videoId, 'ready');
    const secondPrefix = second.playback_prefix as string;
    expect(secondPrefix).not.toBe(firstPrefix);

    await waitUntilGone(firstPrefix);
    // Only the served run remains next to the source.
    const keys = await app.objectKeys(videoFolderOf(videoId));
    expect(keys).toContain(sourceKeyOf(videoId));
    expect(
      keys.filter((key) => key !== sourceKeyOf(videoId)).every((key) => key.startsWith(secondPrefix)),
    ).toBe(true);
    expect(keys).toContain(second.master_playlist_key);
    expect(keys).toContain(second.poster_key);
    await expectPlays(videoId);
  });

  it('keeps serving the previous outputs when a re-transcode fails, and purges only the failed run’s folder', async () => {
    const served = (await app.videoRow(videoId))!;
    const servedPrefix = served.playback_prefix as string;
    const servedKeys = await app.objectKeys(servedPrefix);
    // A source ffmpeg cannot read: the real transcoder reports the run failed.
    await app.storage.put(sourceKeyOf(videoId), 'not a video any more');

    const failed = await transcode(videoId, 'failed');
    expect(failed.playback_prefix).toBe(servedPrefix);
    expect(failed.output_prefix).not.toBe(servedPrefix);
    await waitUntilGone(failed.output_prefix as string);
    // Give a (wrong) purge of the served run every chance to happen before looking.
    await waitFor(
      async () =>
        (await app.db.query('SELECT 1 FROM storage_purges WHERE next_attempt_at <= now()')).rowCount === 0,
      { timeoutMs: 30_000, description: 'no purge left due' },
    );
    expect(await app.objectKeys(servedPrefix)).toEqual(servedKeys);
    await expectPlays(videoId);
  });
});

describe('Course-Deletion', () => {
  let deletedCourse: string;
  let keptCourse: string;
  let transcodedVideo: string;
  let uploadedVideo: string;
  let keptVideo: string;
  let deletionEventId: string;

  beforeAll(async () => {
    [deletedCourse, keptCourse] = [await courseWithStudent(), await courseWithStudent()];
    transcodedVideo = await uploaded(deletedCourse);
    await transcode(transcodedVideo, 'ready');
    uploadedVideo = await uploaded(deletedCourse);
    keptVideo = await uploaded(keptCourse);
    await transcode(keptVideo, 'ready');
  });

  const deletion = () => ({
    courseId: deletedCourse,
    instructorId: owner.id,
    deletedAt: new Date().toISOString(),
  });

  async function expectCourseGone(): Promise<void> {
    for (const videoId of [transcodedVideo, uploadedVideo]) {
      for (const caller of [owner, admin, student]) {
        expectProblem(await app.request('GET', `/${videoId}`, caller), 404);
        expectProblem(await app.request('GET', `/${videoId}/stream`, caller), 404);
        expectProblem(await app.request('GET', `/${videoId}/poster`, caller), 404);
      }
      expectProblem(await app.request('POST', `/${videoId}/transcode`, admin), 404);
      await waitUntilGone(videoFolderOf(videoId));
      expect((await app.videoRow(videoId))!.deleted_at).toBeInstanceOf(Date);
    }
    // Another course's video is untouched: metadata, objects, playback.
    expect((await app.request('GET', `/${keptVideo}`, student)).body.status).toBe('ready');
    expect(await app.objectKeys(videoFolderOf(keptVideo))).toContain(sourceKeyOf(keptVideo));
    await expectPlays(keptVideo);
  }

  it('makes the course’s videos 404 for everyone and deletes their source and outputs; other courses keep theirs', async () => {
    const before = await app.request('GET', `/${transcodedVideo}/stream`, student);
    expect(before.status).toBe(200);
    expect(await app.objectKeys(videoFolderOf(uploadedVideo))).toEqual([sourceKeyOf(uploadedVideo)]);

    deletionEventId = (await app.publish(Topics.CourseDeletion, deletedCourse, deletion())).id;
    await app.waitUntilConsumed(deletionEventId);

    await expectCourseGone();
    expect((await app.db.query('SELECT 1 FROM storage_purges')).rowCount).toBe(0);
  });

  it('takes the same deletion delivered twice, and a second deletion event, without an error and with the same result', async () => {
    await app.publish(Topics.CourseDeletion, deletedCourse, deletion(), deletionEventId);
    const again = await app.publish(Topics.CourseDeletion, deletedCourse, deletion());
    // Recorded as processed: the handler succeeded (a failing one is retried, then dead-lettered).
    await app.waitUntilConsumed(again.id);

    await expectCourseGone();
    expect((await app.db.query('SELECT 1 FROM storage_purges')).rowCount).toBe(0);
  });

  it('refuses an upload to the deleted course and keeps none of its bytes', async () => {
    const objectsBefore = await app.objectKeys();
    expectProblem(await app.upload(owner, deletedCourse, clip), 404);
    expect(await app.objectKeys()).toEqual(objectsBefore);
  });
});

describe('a purge left behind', () => {
  it('is finished by the sweep (a crash between the commit and the purge, or a failed purge)', async () => {
    const folder = videoFolderOf(randomUUID());
    await app.storage.put(`${folder}source`, 'left behind');
    await app.storage.put(`${folder}hls/${randomUUID()}/master.m3u8`, '#EXTM3U\n');
    // Recorded as the event handler would, but nobody wakes the purger: only the sweep finds it.
    await schedulePurge(app.db, folder, 'test');

    await waitUntilGone(folder);
    await waitFor(
      async () =>
        (await app.db.query('SELECT 1 FROM storage_purges WHERE prefix = $1', [folder])).rowCount === 0,
      { timeoutMs: 10_000, description: 'the purge to be finished' },
    );
  });
});
