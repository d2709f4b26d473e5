import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Topics } from '@moocflix/platform-bus';
import { waitFor } from '../../../e2e/stack/control';
import { downloadPlayableSegment, fetchHlsAudio, fetchHlsPackage, readObject } from './support/hls';
import { generateClip, probeStreams } from './support/media';
import { startTranscoder, type TranscoderUnderTest } from './support/transcoder-under-test';

// The worker from Transcoding-Request to Transcoding-Completed on the real stack: Kafka, S3, ffmpeg.
jest.setTimeout(120_000);
const run = promisify(execFile);

let transcoder: TranscoderUnderTest;
let dir: string;
let workDir: string;
const clips: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transcoder-worker-test-'));
  workDir = join(dir, 'work');
  clips.landscape = await generateClip(join(dir, 'landscape.mp4'), { width: 960, height: 540, seconds: 4 });
  clips.small = await generateClip(join(dir, 'small.mp4'), {
    width: 320,
    height: 240,
    seconds: 4,
    audio: false,
  });
  clips.portrait = await generateClip(join(dir, 'portrait.mp4'), { width: 360, height: 640, seconds: 4 });
  clips.notes = join(dir, 'notes.mp4');
  await writeFile(clips.notes, 'lecture notes, not a video\n');
  clips.passwdPlaylist = join(dir, 'passwd.m3u8');
  await writeFile(
    clips.passwdPlaylist,
    '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
  );
  clips.httpPlaylist = join(dir, 'http.m3u8');
  await writeFile(
    clips.httpPlaylist,
    '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n',
  );
  const fifo = join(dir, 'canary.fifo');
  await run('mkfifo', [fifo]);
  clips.fifoPlaylist = join(dir, 'fifo.m3u8');
  await writeFile(
    clips.fifoPlaylist,
    `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://${fifo}\n#EXT-X-ENDLIST\n`,
  );
  clips.concat = join(dir, 'list.mp4');
  await writeFile(clips.concat, `ffconcat version 1.0\nfile '${fifo}'\nfile '/etc/passwd'\n`);
  transcoder = await startTranscoder({
    TRANSCODER_WORK_DIR: workDir,
    TRANSCODER_PROBE_TIMEOUT_SECONDS: '10',
  });
}, 120_000);

afterAll(async () => {
  await transcoder?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('transcoder worker', () => {
  it('serves its OpenAPI document and is ready once consuming', async () => {
    const doc = await transcoder.service.request('GET', '/api/v1/transcoder/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(['/openapi.json']);
    const ready = await transcoder.service.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks['transcoding-worker']).toBe('ok');
  });

  it('turns a 540p clip into a 360p+540p HLS ladder in S3 that plays', async () => {
    const request = await transcoder.request(clips.landscape!);
    const completion = await transcoder.recorder.completion(request.requestId);

    expect(completion).toMatchObject({
      videoId: request.videoId,
      status: 'succeeded',
      error: null,
      masterPlaylistKey: `${request.outputPrefix}/master.m3u8`,
      posterKey: `${request.outputPrefix}/poster.jpg`,
    });
    expect(completion.durationSeconds).toBeCloseTo(4, 0);
    expect(completion.renditions.map(({ name, width, height }) => ({ name, width, height }))).toEqual([
      { name: '360p', width: 640, height: 360 },
      { name: '540p', width: 960, height: 540 },
    ]);
    expect(transcoder.recorder.completions.find((c) => c.data.requestId === request.requestId)!.key).toBe(
      request.videoId,
    );

    // The master playlist as a player reads it: every variant, init segment and segment exists.
    const variants = await fetchHlsPackage(transcoder.storage, completion.masterPlaylistKey!);
    expect(variants.map((v) => v.attributes.RESOLUTION)).toEqual(['640x360', '960x540']);
    for (const v of variants) {
      expect(Number(v.attributes.BANDWIDTH)).toBeGreaterThan(0);
      expect(v.attributes.CODECS).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    }
    // Keyframes aligned every 2 s: a 4 s clip is two segments in every rendition.
    expect(variants.map((v) => v.segmentKeys.length)).toEqual([2, 2]);

    for (const [i, v] of variants.entries()) {
      const file = await downloadPlayableSegment(transcoder.storage, v, 1, dir);
      const streams = await probeStreams(file);
      // Video only: the audio is encoded once, in its own rendition group, not muxed into each variant.
      expect(streams.map((s) => s.codec_type)).toEqual(['video']);
      expect(streams[0]).toMatchObject({
        codec_name: 'h264',
        width: completion.renditions[i]!.width,
        height: completion.renditions[i]!.height,
      });
      expect(v.attributes.AUDIO).toBe('audio');
    }
    // The one audio rendition every variant references: AAC stereo, as long as the clip.
    const [audio, ...moreAudio] = await fetchHlsAudio(transcoder.storage, completion.masterPlaylistKey!);
    expect(moreAudio).toEqual([]);
    expect(audio!.attributes).toMatchObject({
      TYPE: 'AUDIO',
      'GROUP-ID': 'audio',
      DEFAULT: 'YES',
      CHANNELS: '2',
    });
    expect(audio!.playlistKey).toBe(`${request.outputPrefix}/audio/index.m3u8`);
    // AAC frames (1024 samples) do not fall on the 2 s grid: the audio cuts at the first frame past
    // each boundary, so its segments need not match the video's; together they cover the clip.
    const audioPlaylist = (await readObject(transcoder.storage, audio!.playlistKey)).toString('utf8');
    const audioSeconds = [...audioPlaylist.matchAll(/#EXTINF:([\d.]+)/g)].reduce(
      (t, m) => t + Number(m[1]),
      0,
    );
    expect(audioSeconds).toBeCloseTo(4, 1);
    const audioStreams = await probeStreams(
      await downloadPlayableSegment(transcoder.storage, audio!, 1, dir),
    );
    expect(audioStreams).toEqual([
      expect.objectContaining({ codec_type: 'audio', codec_name: 'aac', channels: 2 }),
    ]);
    expect((await transcoder.storage.head(completion.masterPlaylistKey!))?.contentType).toBe(
      'application/vnd.apple.mpegurl',
    );
    expect((await transcoder.storage.head(variants[0]!.segmentKeys[0]!))?.contentType).toBe('video/mp4');
    const poster = await readObject(transcoder.storage, completion.posterKey!);
    expect(poster.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8])); // JPEG SOI

    // Progress ticks went out before the completion, never backwards.
    const ticks = transcoder.recorder.progressOf(request.requestId);
    expect(ticks.length).toBeGreaterThan(0);
    expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);
    // The temp folder is gone.
    expect(await readdir(workDir)).toEqual([]);
  });

  it('gives a 240p source exactly one rendition at its own size', async () => {
    const request = await transcoder.request(clips.small!);
    const completion = await transcoder.recorder.completion(request.requestId);
    expect(completion.status).toBe('succeeded');
    expect(completion.renditions).toEqual([
      expect.objectContaining({
        name: '240p',
        width: 320,
        height: 240,
        codecs: expect.stringMatching(/^avc1\.[0-9a-f]{6}$/),
      }),
    ]);
    const variants = await fetchHlsPackage(transcoder.storage, completion.masterPlaylistKey!);
    expect(variants).toHaveLength(1);
    // A silent source: no audio group, and the variant references none.
    expect(await fetchHlsAudio(transcoder.storage, completion.masterPlaylistKey!)).toEqual([]);
    expect(variants[0]!.attributes.AUDIO).toBeUndefined();
  });

  it('keeps a portrait clip portrait', async () => {
    const request = await transcoder.request(clips.portrait!);
    const completion = await transcoder.recorder.completion(request.requestId);
    expect(completion.status).toBe('succeeded');
    expect(completion.renditions.map(({ name, width, height }) => ({ name, width, height }))).toEqual([
      { name: '360p', width: 360, height: 640 },
    ]);
    const [variant] = await fetchHlsPackage(transcoder.storage, completion.masterPlaylistKey!);
    expect(variant!.attributes.RESOLUTION).toBe('360x640');
    const video = (
      await probeStreams(await downloadPlayableSegment(transcoder.storage, variant!, 0, dir))
    ).find((s) => s.codec_type === 'video');
    expect(video).toMatchObject({ width: 360, height: 640 });
  });

  // Stored without a file name, a playlist is not even recognised as HLS (ffmpeg only sniffs
  // m3u8 content by extension), so "not media" is as good a refusal as "refused container". What
  // matters: it fails at once and opens nothing it names — the FIFO case would hang until the probe
  // timeout (and fail as `timeout`) if anything opened the named pipe.
  it.each([
    ['an HLS playlist naming file:///etc/passwd', 'passwdPlaylist', /^(refused-container|not-media): /],
    ['an HLS playlist naming an http URL', 'httpPlaylist', /^(refused-container|not-media): /],
    ['an HLS playlist naming a named pipe', 'fifoPlaylist', /^(refused-container|not-media): /],
    ['a concat list', 'concat', /^refused-container: /],
    ['a text file named .mp4', 'notes', /^not-media: /],
  ])('fails %s cleanly, reading nothing and storing nothing', async (_name, clip, reason) => {
    const request = await transcoder.request(clips[clip]!, { sourceFormat: 'hls' });
    const completion = await transcoder.recorder.completion(request.requestId);
    expect(completion).toMatchObject({
      status: 'failed',
      renditions: [],
      masterPlaylistKey: null,
      posterKey: null,
    });
    expect(completion.error).toMatch(reason);
    expect(completion.error).not.toMatch(/root:|\/bin\/(ba)?sh/);
    expect(await transcoder.storage.list(request.outputPrefix)).toEqual([]);
    expect(await readdir(workDir)).toEqual([]);
  });

  it('fails a request whose source does not exist', async () => {
    const request = await transcoder.request(null);
    const completion = await transcoder.recorder.completion(request.requestId);
    expect(completion).toMatchObject({ status: 'failed' });
    expect(completion.error).toMatch(/^source-missing: /);
  });

  it('fails a request whose output prefix would leave its folder', async () => {
    const request = await transcoder.request(clips.small!, { outputPrefix: 'videos/../../etc' });
    const completion = await transcoder.recorder.completion(request.requestId);
    expect(completion.error).toMatch(/^invalid-request: /);
  });

  it('dead-letters a malformed request and keeps consuming', async () => {
    // A CloudEvent whose data is not a Transcoding-Request: no requestId to fail, so it is parked.
    const broken = JSON.stringify({
      specversion: '1.0',
      id: randomUUID(),
      source: 'transcoder-test',
      type: 'io.moocflix.transcoding.requested',
      time: new Date().toISOString(),
      subject: 'malformed',
      datacontenttype: 'application/json',
      data: { videoId: 'malformed' },
    });
    await transcoder.service.ctx.bus.publish([
      { topic: Topics.TranscodingRequest, key: 'malformed', value: broken },
    ]);
    await waitFor(() => expect(transcoder.recorder.deadLetters.map((d) => d.key)).toContain('malformed'), {
      timeoutMs: 30_000,
    });
    const dead = transcoder.recorder.deadLetters.find((d) => d.key === 'malformed')!;
    expect(dead.headers['x-dead-letter-reason']).toBe('malformed');

    const next = await transcoder.request(null);
    expect((await transcoder.recorder.completion(next.requestId)).status).toBe('failed');
  });
});
