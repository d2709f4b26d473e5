import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';

const run = promisify(execFile);

/** A short test clip from ffmpeg's own generators (testsrc + sine), H.264/AAC in MP4. */
export async function generateClip(
  path: string,
  {
    width,
    height,
    seconds,
    audio = true,
  }: { width: number; height: number; seconds: number; audio?: boolean },
): Promise<string> {
  const { ffmpeg } = resolveFfmpegBinaries();
  // prettier-ignore
  await run(ffmpeg, [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=25:duration=${seconds}`,
    ...(audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac'] : []),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-shortest',
    path,
  ]);
  return path;
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
}

/** ffprobe's view of a local file's streams. */
export async function probeStreams(path: string): Promise<ProbedStream[]> {
  const { ffprobe } = resolveFfmpegBinaries();
  const { stdout } = await run(ffprobe, ['-v', 'error', '-of', 'json', '-show_streams', path]);
  return (JSON.parse(stdout) as { streams: ProbedStream[] }).streams;
}

/** Command lines of running ffmpeg processes that mention `marker` (a test's own work folder). */
export async function ffmpegProcessesMentioning(marker: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'args']);
  return stdout.split('\n').filter((line) => line.includes('ffmpeg') && line.includes(marker));
}
