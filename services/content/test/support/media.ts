import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';

const run = promisify(execFile);

/** A short H.264/AAC MP4 from ffmpeg's own generators (testsrc + sine). */
export async function generateClip(
  path: string,
  { width, height, seconds }: { width: number; height: number; seconds: number },
): Promise<string> {
  // prettier-ignore
  await run(resolveFfmpegBinaries().ffmpeg, [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest',
    path,
  ]);
  return path;
}

/** Codec type, codec and channel count of every stream of a file, as ffprobe reads them. */
export async function probeStreams(
  path: string,
): Promise<{ codec_type: string; codec_name: string; channels?: number }[]> {
  const { stdout } = await run(resolveFfmpegBinaries().ffprobe, [
    '-v',
    'error',
    '-of',
    'json',
    '-show_streams',
    path,
  ]);
  return (JSON.parse(stdout) as { streams: { codec_type: string; codec_name: string; channels?: number }[] })
    .streams;
}

/** Lecture notes saved under a video's name: text, not media. */
export async function writeTextFile(path: string): Promise<string> {
  await writeFile(path, 'Week 1: consensus, replication and clocks.\n'.repeat(200));
  return path;
}

/** An HLS playlist whose only "segment" is /etc/passwd: a probe that followed it would read the file. */
export async function writePasswdPlaylist(path: string): Promise<string> {
  await writeFile(
    path,
    '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXTINF:10,\nhttp://127.0.0.1:9/seg.ts\n#EXT-X-ENDLIST\n',
  );
  return path;
}
