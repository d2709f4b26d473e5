import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../e2e/stack/control';
import { probeMedia } from '@moocflix/platform-media';
import type { TestResponse } from '@moocflix/platform-testing';
import { PlaybackTokens } from '../src/domain/playback-token';
import { ContentUnderTest, expectProblem, type User } from './support/content-under-test';
import { playAudioRenditions, playEveryVariant } from './support/hls-player';
import { generateClip, probeStreams } from './support/media';
import { startTranscoderWorker } from './support/transcoder-worker';

// Upload → transcode by the REAL transcoder worker (ffmpeg) → ready → played through the service.
const TRANSCODE_TIMEOUT_MS = 240_000;
jest.setTimeout(TRANSCODE_TIMEOUT_MS + 60_000);

let app: ContentUnderTest;
let transcoder: { close(): Promise<void> };
let dir: string;
let owner: User;
let otherInstructor: User;
let admin: User;
let enrolled: User;
let outsider: User;
let courseId: string;
/** The landscape clip, transcoded once in beforeAll and shared by the access tests. */
let videoId: string;
let master: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-playback-test-'));
  app = await ContentUnderTest.start('playback');
  transcoder = await startTranscoderWorker(app.storage);
  [owner, otherInstructor, admin, enrolled, outsider] = await app.users(
    'instructor',
    'instructor',
    'admin',
    'student',
    'student',
  );
  courseId = await app.knownCourse(owner);
  await app.enroll(enrolled, courseId, owner.id);
  videoId = await uploadAndTranscode(
    await generateClip(join(dir, 'lecture.mp4'), { width: 320, height: 240, seconds: 4 }),
  );
  const stream = await app.request('GET', `/${videoId}/stream`, enrolled);
  expect(stream.status).toBe(200);
  master = stream.body;
}, TRANSCODE_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await transcoder?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function uploadAndTranscode(file: string): Promise<string> {
  const upload = await app.upload(owner, courseId, file);
  expect(upload.status).toBe(201);
  const id = upload.body.videoId;
  expect((await app.request('POST', `/${id}/transcode`, owner)).status).toBe(202);
  await waitFor(
    async () => {
      const { body } = await app.request('GET', `/${id}`, owner);
      if (body.status === 'failed') throw new Error(`transcoding failed: ${body.error}`);
      expect(body.status).toBe('ready');
    },
    { timeoutMs: TRANSCODE_TIMEOUT_MS, intervalMs: 500 },
  );
  return id;
}

/** The first segment URL a served playlist names, and its playback token. */
async function firstSegment(): Promise<{ url: string; token: string }> {
  const variantUrl = master.split('\n').find((line) => line.startsWith('/'))!;
  const variant = (await app.fetchUrl(variantUrl)).bytes.toString('utf8');
  const url = variant.split('\n').find((line) => line.startsWith('/'))!;
  return { url, token: new URL(url, 'http://x').searchParams.get('token')! };
}

describe('upload → transcode → ready → play', () => {
  it('serves a master playlist whose every rendition and segment exists and plays (ffprobe on the fetched segments)', async () => {
    const video = (await app.request('GET', `/${videoId}`, enrolled)).body;
    expect(video).toMatchObject({ status: 'ready', progress: 100, error: null });
    expect(video.renditions.length).toBeGreaterThanOrEqual(1);
    // A 240p source is never upscaled.
    for (const rendition of video.renditions) expect(rendition.height).toBeLessThanOrEqual(240);

    expect(master.startsWith('#EXTM3U')).toBe(true);
    // Every URI points back at this service with a token; no storage key leaks out.
    for (const line of master.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(new RegExp(`^/api/v1/content/${videoId}/hls/[^?]+\\.m3u8\\?token=v1\\.`));
    }
    expect(master).not.toMatch(/videos\//);

    const variants = await playEveryVariant(app, master, dir);
    expect(variants).toHaveLength(video.renditions.length);
    for (const variant of variants) {
      expect(Number(variant.attributes.BANDWIDTH)).toBeGreaterThan(0);
      expect(variant.attributes.CODECS).toMatch(/avc1\./);
      expect(variant.durationSeconds).toBeCloseTo(4, 0);
      const probe = await probeMedia(variant.file, { timeoutMs: 30_000 });
      expect(probe).toMatchObject({ container: 'mov', videoCodec: 'h264' });
      expect(`${probe.width}x${probe.height}`).toBe(variant.attributes.RESOLUTION);
      expect(probe.durationSeconds).toBeCloseTo(4, 0);
      // Video only: the sound is the audio group's, named by AUDIO and declared in CODECS.
      expect(probe.audioCodec).toBeNull();
      expect(variant.attributes.AUDIO).toBe('audio');
      expect(variant.attributes.CODECS).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    }

    // The audio group's playlist and segments are served through the same route and token.
    const [audio, ...moreAudio] = await playAudioRenditions(app, master, dir);
    expect(moreAudio).toEqual([]);
    expect(audio!.attributes).toMatchObject({ TYPE: 'AUDIO', 'GROUP-ID': 'audio' });
    for (const url of [audio!.playlistUrl, audio!.initUrl, ...audio!.segmentUrls]) {
      expect(url).toMatch(new RegExp(`^/api/v1/content/${videoId}/hls/audio/[^?]+\\?token=v1\\.`));
    }
    expect(audio!.durationSeconds).toBeCloseTo(4, 0);
    expect(await probeStreams(audio!.file)).toEqual([
      expect.objectContaining({ codec_type: 'audio', codec_name: 'aac', channels: 2 }),
    ]);
  });

  it('serves byte ranges of a segment (206) and refuses a range past its end (416)', async () => {
    const { url } = await firstSegment();
    const whole = await app.fetchUrl(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const part = await app.fetchUrl(url, { range: 'bytes=10-109' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-109/${whole.bytes.length}`);
    expect(part.bytes.equals(whole.bytes.subarray(10, 110))).toBe(true);
    const beyond = await app.fetchUrl(url, { range: `bytes=${whole.bytes.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.bytes.length}`);
  });

  it('serves the poster (a JPEG) to whoever may watch', async () => {
    for (const caller of [owner, admin, enrolled]) {
      const response = await fetch(`${app.service.url}/api/v1/content/${videoId}/poster`, {
        headers: { authorization: `Bearer ${caller.token}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.subarray(0, 2).toString('hex')).toBe('ffd8');
    }
  });

  it('gives watchers a posterUrl that works without a bearer token (an <img> sends none), for that video only', async () => {
    const video = await app.request('GET', `/${videoId}`, enrolled);
    expect(video.status).toBe(200);
    const posterUrl: string = video.body.posterUrl;
    expect(posterUrl).toMatch(new RegExp(`^/api/v1/content/${videoId}/poster\\?token=[^&]+$`));

    const poster = await app.fetchUrl(posterUrl);
    expect(poster.status).toBe(200);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    expect(poster.bytes.subarray(0, 2).toString('hex')).toBe('ffd8');

    // The token names this video: on another one it is refused, and garbage is refused too.
    const token = posterUrl.split('token=')[1]!;
    expectProblem(await fetchProblem(`/api/v1/content/${randomUUID()}/poster?token=${token}`), 403);
    expectProblem(await fetchProblem(`/api/v1/content/${videoId}/poster?token=v1.garbage`), 403);
    expectProblem(await fetchProblem(`/api/v1/content/${videoId}/poster?token=`), 400);
    expectProblem(await fetchProblem(`/api/v1/content/${videoId}/poster?other=1`), 401);
    expectProblem(await fetchProblem(`/api/v1/content/${videoId}/poster`), 401);
  });

  it('transcodes a portrait clip into portrait renditions that play', async () => {
    const portraitId = await uploadAndTranscode(
      await generateClip(join(dir, 'portrait.mp4'), { width: 240, height: 426, seconds: 2 }),
    );
    const video = (await app.request('GET', `/${portraitId}`, owner)).body;
    for (const rendition of video.renditions) expect(rendition.height).toBeGreaterThan(rendition.width);
    const stream = await app.request('GET', `/${portraitId}/stream`, owner);
    const variants = await playEveryVariant(app, stream.body, dir);
    expect(variants.length).toBe(video.renditions.length);
    for (const variant of variants) {
      const probe = await probeMedia(variant.file, { timeoutMs: 30_000 });
      expect(probe.height).toBeGreaterThan(probe.width);
      expect(probe.durationSeconds).toBeCloseTo(2, 0);
    }
  });
});

describe('playback authorization', () => {
  it('gives the master playlist to the owner and admins, 403 to an unenrolled student and another instructor', async () => {
    for (const caller of [owner, admin])
      expect((await app.request('GET', `/${videoId}/stream`, caller)).status).toBe(200);
    expectProblem(await app.request('GET', `/${videoId}/stream`, outsider), 403);
    expectProblem(await app.request('GET', `/${videoId}/stream`, otherInstructor), 403);
    expectProblem(await app.request('GET', `/${videoId}/stream`, undefined), 401);
  });

  it('refuses a tampered, expired, foreign or missing playback token with 403 (400 when missing)', async () => {
    const { url, token } = await firstSegment();
    const withToken = (t: string) => url.replace(`token=${token}`, `token=${t}`);
    const middle = token.length - 20;
    const flipped = token.slice(0, middle) + (token[middle] === 'A' ? 'B' : 'A') + token.slice(middle + 1);
    const keyBytes = Buffer.from(app.playbackSecret, 'utf8');
    const expired = new PlaybackTokens(keyBytes, 600, () => Math.floor(Date.now() / 1000) - 3600).issue(
      videoId,
      enrolled.id,
    ).token;
    const otherVideo = new PlaybackTokens(keyBytes, 600).issue(randomUUID(), enrolled.id).token;
    const foreignKey = new PlaybackTokens(Buffer.alloc(32, 9), 600).issue(videoId, enrolled.id).token;

    for (const bad of [flipped, expired, otherVideo, foreignKey, 'v1.garbage']) {
      expectProblem(await fetchProblem(withToken(bad)), 403);
    }
    expectProblem(await fetchProblem(url.replace(/\?token=.*$/, '')), 400);
    // The untouched URL still works.
    expect((await app.fetchUrl(url)).status).toBe(200);
  });

  it('serves only the files the playlists name: anything else under the video, or outside it, is refused', async () => {
    const { url, token } = await firstSegment();
    const base = `/api/v1/content/${videoId}/hls`;
    const row = await app.videoRow(videoId);
    await app.storage.put(`${row!.playback_prefix}notes.txt`, 'not part of the stream');
    expect((await fetchProblem(`${base}/notes.txt?token=${token}`)).status).toBe(404);
    expect((await fetchProblem(`${base}/source?token=${token}`)).status).toBe(404);
    // Sent raw: fetch would resolve the dot segments before they reach the service.
    expect(await rawStatus(`${base}/240p/../../source?token=${token}`)).toBe(400);
    expect(await rawStatus(`${base}/%2e%2e/source?token=${token}`)).toBe(400);
    expect((await fetchProblem(`${base}/.hidden?token=${token}`)).status).toBe(400);
    expect((await app.fetchUrl(url)).status).toBe(200);
  });
});

/** The status of a GET whose path is sent exactly as written (no URL normalization). */
function rawStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(new URL(app.service.url), { path }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    }).on('error', reject);
  });
}

/** A GET without a bearer token (as a player), the answer parsed like the harness does. */
async function fetchProblem(url: string): Promise<TestResponse> {
  const response = await fetch(new URL(url, app.service.url));
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text.startsWith('{') ? JSON.parse(text) : text,
  };
}
