import { spawn } from 'node:child_process';
import { findExecutableOnPath } from '@moocflix/platform-media';
import { ProgressReader } from './progress-reader';

/** How an ffmpeg run failed; all of them are the input's (or its size's) fault, none is retried. */
export type FfmpegFailureKind = 'exited' | 'crashed' | 'time-limit';

export class FfmpegFailure extends Error {
  constructor(
    readonly kind: FfmpegFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'FfmpegFailure';
  }
}

export interface RunFfmpegOptions {
  binary: string;
  args: string[];
  /** Wall-clock limit; ffmpeg is killed when it is reached. */
  timeLimitMs: number;
  /** Aborting kills ffmpeg and rejects with the signal's reason (shutdown: the work is redone elsewhere). */
  signal: AbortSignal;
  onProgress: (outTimeSeconds: number) => void;
}

// ffmpeg's last words are enough to say why it failed; the rest is not kept.
const STDERR_TAIL_BYTES = 4096;
const MAX_ERROR_LENGTH = 300;

/**
 * Runs ffmpeg directly (argument array, no shell). It never outlives this process: the child is
 * killed on the time limit and on abort, and when this process itself dies without a chance to kill
 * it (SIGKILL, OOM) the kernel does, through a parent-death signal set by `setpriv` where available
 * — and anyway ffmpeg dies on its next progress write into the closed stdout pipe.
 */
export function runFfmpeg(options: RunFfmpegOptions): Promise<void> {
  const { binary, args, timeLimitMs, signal, onProgress } = options;
  signal.throwIfAborted();
  const [command, commandArgs] = withParentDeathSignal(binary, args);

  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const progress = new ProgressReader(onProgress);
    let stderrTail = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => progress.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });

    let stopReason: 'time-limit' | 'aborted' | undefined;
    const stop = (reason: 'time-limit' | 'aborted') => {
      stopReason ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('time-limit'), timeLimitMs);
    const onAbort = () => stop('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };

    child.on('error', (err) => {
      settle();
      reject(err); // ffmpeg missing or not executable: our installation, not the input
    });
    child.on('close', (code, killedBy) => {
      settle();
      if (stopReason === 'aborted') reject(signal.reason);
      else if (stopReason === 'time-limit') {
        reject(
          new FfmpegFailure(
            'time-limit',
            `ffmpeg exceeded the time limit of ${Math.round(timeLimitMs / 1000)} s`,
          ),
        );
      } else if (code === 0) resolve();
      else if (killedBy) reject(new FfmpegFailure('crashed', `ffmpeg was killed by ${killedBy}`));
      else reject(new FfmpegFailure('exited', `ffmpeg exited with code ${code}: ${lastLine(stderrTail)}`));
    });
  });
}

let setpriv: string | null | undefined;

function withParentDeathSignal(binary: string, args: string[]): [string, string[]] {
  setpriv ??= findExecutableOnPath('setpriv');
  return setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, args];
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines.at(-1) ?? '').slice(0, MAX_ERROR_LENGTH) || '(no error output)';
}
