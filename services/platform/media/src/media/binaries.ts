import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

let cached: FfmpegBinaries | undefined;

/**
 * Where ffmpeg and ffprobe live: the ones on PATH when present (a distribution build is
 * newer and better tested), else the static builds shipped by `@ffmpeg-installer/ffmpeg` and
 * `@ffprobe-installer/ffprobe`, so `make dev` works with nothing installed but Node.
 * Resolved once per process; the answer cannot change while it runs.
 */
export function resolveFfmpegBinaries(): FfmpegBinaries {
  cached ??= {
    ffmpeg: findExecutableOnPath('ffmpeg') ?? installerPath('@ffmpeg-installer/ffmpeg'),
    ffprobe: findExecutableOnPath('ffprobe') ?? installerPath('@ffprobe-installer/ffprobe'),
  };
  return cached;
}

/** The first executable file called `name` in the PATH directories, or null. */
export function findExecutableOnPath(name: string, pathVariable = process.env.PATH ?? ''): string | null {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function installerPath(packageName: '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe'): string {
  // Required lazily: the installer packages throw at load time on a platform they have no build for.
  const { path } = require(packageName) as { path: string };
  if (!isExecutable(path)) {
    throw new Error(
      `${packageName} ships ${path} but it is not executable (was its postinstall chmod skipped?)`,
    );
  }
  return path;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
