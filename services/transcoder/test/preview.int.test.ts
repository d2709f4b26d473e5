import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import { LocalDiskObjectStorage, type ObjectStorage } from '@moocflix/platform-storage';
import type { FfmpegRunner } from '../src/chunks/encode-chunked';
import { runFfmpeg } from '../src/ffmpeg/run-ffmpeg';
import { readVariantPlaylist } from '../src/hls/variant-playlist';
import { encodePreview, type PlayablePreview } from '../src/preview/encode-preview';
import { readObject } from './support/hls';
import { generateClip } from './support/media';

// The preview is published WHILE it encodes: playable after its first segment, the playlist never
// naming a segment storage lacks, closed with EXT-X-ENDLIST at the end, and every frame there.
const run = promisify(execFile);
const binaries = resolveFfmpegBinaries();
const SECONDS = 8;
const FPS = 25;
let dir: string;
let clip: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transcoder-preview-test-'));
  clip = await generateClip(join(dir, 'lecture.mp4'), { width: 320, height: 240, seconds: SECONDS });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Storage that remembers every put, in order (and the text of each playlist put). */
function recordingStorage(inner: ObjectStorage) {
  const puts: { key: string; text?: string }[] = [];
  const storage = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'put') {
        return async (key: string, body: Buffer | string, options?: { contentType?: string }) => {
          const result = await target.put(key, body, options);
          puts.push({ key, ...(key.endsWith('.m3u8') && { text: body.toString() }) });
          return result;
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { storage, puts };
}

test('the preview is playable after its first segment and grows in storage until it ends', async () => {
  const local = new LocalDiskObjectStorage({ rootDir: join(dir, 'storage') });
  await local.ensureBucket();
  const { storage, puts } = recordingStorage(local);
  // Read at the clip's own pace (-re), as a long lecture's encode would take its time: the
  // publisher must be seen publishing a playlist that is still growing.
  const runner: FfmpegRunner = (args, onProgress) => {
    const input = args.indexOf('-f');
    return runFfmpeg({
      binary: binaries.ffmpeg,
      args: [...args.slice(0, input), '-re', ...args.slice(input)],
      timeLimitMs: 60_000,
      signal: new AbortController().signal,
      onProgress,
    });
  };
  const outputDir = join(dir, 'preview');
  await mkdir(outputDir);
  let announced: { preview: PlayablePreview; putsSoFar: number } | undefined;
  const result = await encodePreview(
    {
      inputPath: clip,
      demuxer: 'mov',
      rendition: { name: '240p', width: 320, height: 240, videoBitrate: 400_000 },
      hasAudio: true,
      outputDir,
    },
    {
      storage,
      prefix: 'videos/v1/hls',
      run: runner,
      onPlayable: (preview) => {
        expect(announced).toBeUndefined(); // once
        announced = { preview, putsSoFar: puts.length };
      },
    },
  );

  expect(result).toEqual(announced!.preview);
  expect(announced!.preview).toMatchObject({
    masterPlaylistKey: 'videos/v1/hls/preview.m3u8',
    renditions: [
      {
        name: '240p',
        width: 320,
        height: 240,
        codecs: expect.stringMatching(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/),
        playlistKey: 'videos/v1/hls/preview/index.m3u8',
      },
    ],
  });
  const playlists = puts.filter((p) => p.key === 'videos/v1/hls/preview/index.m3u8');
  const final = readVariantPlaylist(playlists.at(-1)!.text!);
  expect(final.segments).toHaveLength(SECONDS / 2);
  expect(playlists.at(-1)!.text).toContain('#EXT-X-ENDLIST');
  // Announced while it was still growing, and the playlist was published more than once.
  expect(playlists[0]!.text).not.toContain('#EXT-X-ENDLIST');
  expect(playlists.length).toBeGreaterThan(1);
  const segmentsAtAnnouncement = puts
    .slice(0, announced!.putsSoFar)
    .filter((p) => p.key.endsWith('.m4s')).length;
  expect(segmentsAtAnnouncement).toBeGreaterThanOrEqual(1);
  expect(segmentsAtAnnouncement).toBeLessThan(final.segments.length);
  // No playlist ever named a segment that was not already in storage.
  for (const [i, put] of puts.entries()) {
    if (!put.text || put.key.endsWith('preview.m3u8')) continue;
    const named = readVariantPlaylist(put.text).segments.map((s) => `videos/v1/hls/preview/${s.uri}`);
    const stored = new Set(puts.slice(0, i).map((p) => p.key));
    expect(named.filter((key) => !stored.has(key))).toEqual([]);
  }

  // Every frame of the clip, with its audio.
  const parts = [await readObject(local, `videos/v1/hls/preview/${final.initSegment}`)];
  for (const s of final.segments) parts.push(await readObject(local, `videos/v1/hls/preview/${s.uri}`));
  const file = join(dir, 'preview.mp4');
  await writeFile(file, Buffer.concat(parts));
  // prettier-ignore
  const { stdout } = await run(binaries.ffprobe, [
    '-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,nb_read_frames', '-of', 'csv=p=0', file,
  ]);
  const streams = Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split(',')),
  );
  expect(streams.video).toBe(String(SECONDS * FPS));
  expect(Number(streams.audio)).toBeGreaterThan(0);
}, 90_000);
