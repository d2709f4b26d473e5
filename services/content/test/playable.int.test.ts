import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../e2e/stack/control';
import { Topics, type EventData } from '@moocflix/platform-bus';
import { outputPrefixOf } from '../src/domain/video-keys';
import { ContentUnderTest, type User } from './support/content-under-test';
import { generateClip } from './support/media';
import { succeededCompletion } from './support/completions';

type Progress = EventData<typeof Topics.TranscodingProgress>;
type Completion = EventData<typeof Topics.TranscodingCompleted>;

// Progressive readiness: a first transcode's preview (published on the transcoder's progress
// ticks) makes the video `playable` and is served, growing, until the full ladder is ready.
jest.setTimeout(120_000);

let app: ContentUnderTest;
let dir: string;
let clip: string;
let owner: User;
let student: User;
let courseId: string;

const MASTER = (segmentsOf: string) =>
  `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=1000000,RESOLUTION=320x240,CODECS="avc1.42c00d,mp4a.40.2"\n${segmentsOf}\n`;
const EVENT_PLAYLIST = (segments: number, ended = false) =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    '#EXT-X-MAP:URI="init.mp4"',
    ...Array.from({ length: segments }, (_, i) => [
      `#EXTINF:2.000000,`,
      `seg_${String(i).padStart(5, '0')}.m4s`,
    ]).flat(),
    ...(ended ? ['#EXT-X-ENDLIST'] : []),
  ].join('\n') + '\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-playable-test-'));
  app = await ContentUnderTest.start('playable');
  [owner, student] = await app.users('instructor', 'student');
  clip = await generateClip(join(dir, 'lecture.mp4'), { width: 320, height: 240, seconds: 2 });
  courseId = await app.knownCourse(owner);
  await app.enroll(student, courseId, owner.id);
});
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function queuedVideo(): Promise<{ videoId: string; requestId: string; prefix: string }> {
  const upload = await app.upload(owner, courseId, clip);
  expect(upload.status).toBe(201);
  const videoId = upload.body.videoId as string;
  const response = await app.request('POST', `/${videoId}/transcode`, owner);
  expect(response.status).toBe(202);
  const requestId = response.body.requestId as string;
  return { videoId, requestId, prefix: outputPrefixOf(videoId, requestId) };
}

/** What the transcoder's preview writes, with `segments` segments so far. */
async function storePreview(prefix: string, segments: number, ended = false): Promise<void> {
  await app.storage.put(`${prefix}preview.m3u8`, MASTER('preview/index.m3u8'));
  await app.storage.put(`${prefix}preview/init.mp4`, Buffer.from('init'));
  for (let i = 0; i < segments; i++) {
    await app.storage.put(
      `${prefix}preview/seg_${String(i).padStart(5, '0')}.m4s`,
      Buffer.from(`segment ${i}`),
    );
  }
  await app.storage.put(`${prefix}preview/index.m3u8`, EVENT_PLAYLIST(segments, ended));
}

async function tick(videoId: string, requestId: string, progress: number, preview?: Progress['preview']) {
  const event = await app.publish(Topics.TranscodingProgress, videoId, {
    requestId,
    videoId,
    progress,
    ...(preview && { preview }),
    at: new Date().toISOString(),
  });
  await app.waitUntilConsumed(event.id);
}

const previewOf = (prefix: string): NonNullable<Progress['preview']> => ({
  masterPlaylistKey: `${prefix}preview.m3u8`,
  renditions: [
    {
      name: '240p',
      width: 320,
      height: 240,
      bandwidth: 1_000_000,
      codecs: 'avc1.42c00d,mp4a.40.2',
      playlistKey: `${prefix}preview/index.m3u8`,
    },
  ],
});

describe('a first transcode with a preview', () => {
  it('is playable from the preview tick on: served to learners, growing, until the ladder is ready', async () => {
    const { videoId, requestId, prefix } = await queuedVideo();
    await tick(videoId, requestId, 3);
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'transcoding' });
    // Not playable yet: the stream is a 409.
    expect((await app.request('GET', `/${videoId}/stream`, student)).status).toBe(409);

    await storePreview(prefix, 1);
    await tick(videoId, requestId, 5, previewOf(prefix));
    expect(await app.videoState(videoId, owner)).toMatchObject({
      status: 'playable',
      progress: 5,
      renditions: [expect.objectContaining({ name: '240p', width: 320, height: 240 })],
    });

    // The preview's master, its URIs pointing back here with a playback token.
    const stream = await app.request('GET', `/${videoId}/stream`, student);
    expect(stream.status).toBe(200);
    const variantUrl = (stream.body as string).split('\n').find((l) => l.startsWith('/'))!;
    expect(variantUrl).toContain(`/${videoId}/hls/preview/index.m3u8?token=`);
    const first = await app.fetchUrl(variantUrl);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toContain('no-store');
    expect(first.bytes.toString()).toContain('seg_00000.m4s?token=');
    expect(first.bytes.toString()).not.toContain('#EXT-X-ENDLIST');

    // It grows: the next segment is listed and served (the catalog of a growing preview is not cached).
    await storePreview(prefix, 2);
    const grown = (await app.fetchUrl(variantUrl)).bytes.toString();
    const second = grown.split('\n').find((l) => l.includes('seg_00001.m4s'))!;
    expect((await app.fetchUrl(second)).bytes.toString()).toBe('segment 1');

    // Later ticks keep it playable, the percentage still grows, asking again returns the request.
    await tick(videoId, requestId, 40, previewOf(prefix));
    await tick(videoId, requestId, 60);
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'playable', progress: 60 });
    expect((await app.request('POST', `/${videoId}/transcode`, owner)).body).toEqual({
      videoId,
      status: 'playable',
      requestId,
    });

    // The ladder's completion: ready, serving the full master instead.
    await app.storage.put(`${prefix}master.m3u8`, MASTER('240p/index.m3u8'));
    await app.storage.put(`${prefix}240p/index.m3u8`, EVENT_PLAYLIST(1, true).replace('EVENT', 'VOD'));
    await app.storage.put(`${prefix}240p/init.mp4`, Buffer.from('init'));
    await app.storage.put(`${prefix}240p/seg_00000.m4s`, Buffer.from('ladder segment'));
    await app.waitUntilConsumed(
      (
        await app.publish(
          Topics.TranscodingCompleted,
          videoId,
          succeededCompletion(videoId, requestId, { posterKey: null }),
        )
      ).id,
    );
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'ready', progress: 100 });
    const ready = await app.request('GET', `/${videoId}/stream`, student);
    expect(ready.body).toContain(`/${videoId}/hls/240p/index.m3u8?token=`);
  });

  it('ignores a preview outside the attempt’s folder', async () => {
    const { videoId, requestId } = await queuedVideo();
    const elsewhere = outputPrefixOf(videoId, '00000000-0000-4000-8000-000000000000');
    await storePreview(elsewhere, 1);
    await tick(videoId, requestId, 5, previewOf(elsewhere));
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'transcoding', renditions: [] });
    expect((await app.request('GET', `/${videoId}/stream`, student)).status).toBe(409);
  });

  it('drops the preview when the request fails: nothing half-made stays served', async () => {
    const { videoId, requestId, prefix } = await queuedVideo();
    await storePreview(prefix, 1);
    await tick(videoId, requestId, 5, previewOf(prefix));
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'playable' });
    const failed: Completion = {
      ...succeededCompletion(videoId, requestId, { posterKey: null }),
      status: 'failed',
      renditions: [],
      masterPlaylistKey: null,
      error: 'ffmpeg-failed: broken input',
    };
    await app.waitUntilConsumed((await app.publish(Topics.TranscodingCompleted, videoId, failed)).id);
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'failed', renditions: [] });
    expect((await app.request('GET', `/${videoId}/stream`, student)).status).toBe(409);
  });
});

describe('a re-transcode with a preview', () => {
  it('keeps serving the previous full ladder rather than a preview', async () => {
    const { videoId, requestId, prefix } = await queuedVideo();
    await app.storage.put(`${prefix}master.m3u8`, MASTER('240p/index.m3u8'));
    await app.waitUntilConsumed(
      (
        await app.publish(
          Topics.TranscodingCompleted,
          videoId,
          succeededCompletion(videoId, requestId, { posterKey: null }),
        )
      ).id,
    );
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'ready' });

    const again = await app.request('POST', `/${videoId}/transcode`, owner);
    const second = outputPrefixOf(videoId, again.body.requestId as string);
    await storePreview(second, 1);
    await tick(videoId, again.body.requestId as string, 5, previewOf(second));
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'transcoding' });
    expect((await app.request('GET', `/${videoId}/stream`, student)).body).toContain(
      '/hls/240p/index.m3u8?token=',
    );
  });
});

describe('the preview once the ladder is ready', () => {
  const complete = async (videoId: string, requestId: string) =>
    app.waitUntilConsumed(
      (
        await app.publish(
          Topics.TranscodingCompleted,
          videoId,
          succeededCompletion(videoId, requestId, { posterKey: null }),
        )
      ).id,
    );
  const storeLadder = async (prefix: string) => {
    await app.storage.put(`${prefix}master.m3u8`, MASTER('240p/index.m3u8'));
    await app.storage.put(`${prefix}240p/index.m3u8`, EVENT_PLAYLIST(1, true).replace('EVENT', 'VOD'));
    await app.storage.put(`${prefix}240p/init.mp4`, Buffer.from('init'));
    await app.storage.put(`${prefix}240p/seg_00000.m4s`, Buffer.from('ladder segment'));
  };
  const LADDER = ['240p/index.m3u8', '240p/init.mp4', '240p/seg_00000.m4s', 'master.m3u8'];
  const keysUnder = async (prefix: string) =>
    (await app.objectKeys(prefix)).map((key) => key.slice(prefix.length)).sort();

  it('is deleted from storage; the ladder stays and plays; a redelivered completion changes nothing', async () => {
    const { videoId, requestId, prefix } = await queuedVideo();
    await storePreview(prefix, 3, true);
    // A name that only starts like the preview's is not the preview's: it stays.
    await app.storage.put(`${prefix}previewer.txt`, 'not the preview');
    await tick(videoId, requestId, 50, previewOf(prefix));
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'playable' });
    await storeLadder(prefix);
    expect(await keysUnder(prefix)).toEqual(
      expect.arrayContaining([
        'preview.m3u8',
        'preview/index.m3u8',
        'preview/init.mp4',
        'preview/seg_00002.m4s',
      ]),
    );

    await complete(videoId, requestId);
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'ready' });
    // The purger runs after the commit; the S3 server is the judge.
    await waitFor(
      async () => !(await keysUnder(prefix)).some((k) => k.startsWith('preview/') || k === 'preview.m3u8'),
      {
        timeoutMs: 30_000,
        description: 'the preview objects to be deleted from S3',
      },
    );
    expect(await keysUnder(prefix)).toEqual([...LADDER, 'previewer.txt'].sort());
    const stream = await app.request('GET', `/${videoId}/stream`, student);
    const variant = (stream.body as string).split('\n').find((l) => l.startsWith('/'))!;
    const segment = (await app.fetchUrl(variant)).bytes
      .toString()
      .split('\n')
      .find((l) => l.includes('seg_00000.m4s'))!;
    expect((await app.fetchUrl(segment)).bytes.toString()).toBe('ladder segment');

    // The same completion again (a redelivery, a second run of the stitch): still ready, nothing
    // else deleted, and no purge left pending.
    await complete(videoId, requestId);
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'ready' });
    await waitFor(
      async () =>
        (await app.db.query('SELECT 1 FROM storage_purges WHERE prefix LIKE $1', [`${prefix}%`])).rowCount ===
        0,
      { timeoutMs: 30_000, description: 'no purge of the run left pending' },
    );
    expect(await keysUnder(prefix)).toEqual([...LADDER, 'previewer.txt'].sort());
  });

  it('a re-transcode’s preview, never served, goes too; the previous run’s folder with it', async () => {
    const { videoId, requestId, prefix } = await queuedVideo();
    await storeLadder(prefix);
    await complete(videoId, requestId);
    const again = await app.request('POST', `/${videoId}/transcode`, owner);
    const secondRequest = again.body.requestId as string;
    const second = outputPrefixOf(videoId, secondRequest);
    await storePreview(second, 2);
    await tick(videoId, secondRequest, 30, previewOf(second));
    expect(await app.videoState(videoId, owner)).toMatchObject({ status: 'transcoding' });
    await storeLadder(second);

    await complete(videoId, secondRequest);
    await waitFor(
      async () =>
        (await keysUnder(second)).join() === LADDER.join() && (await keysUnder(prefix)).length === 0,
      {
        timeoutMs: 30_000,
        description: 'the new run’s preview and the old run’s folder to be deleted',
      },
    );
  });
});
