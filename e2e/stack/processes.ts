import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A background server process. The stack is started by one process (jest's globalSetup, or cli.ts up)
 * and stopped by another (globalTeardown, a test worker, cli.ts down), so processes are known by PID.
 * `startTime` (from /proc) guards against signalling an unrelated process that reused the PID.
 */
export interface DaemonRecord {
  pid: number;
  startTime: string;
}

interface DaemonOptions {
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Resolves once the server answers (a real request, not just an open port). */
  probe: () => Promise<unknown>;
  timeoutMs: number;
}

/**
 * Starts a server and polls `probe` until it answers. Fails at once, with the log's tail, if the process
 * exits meanwhile (a bad config should not cost the whole timeout); kills it if it never gets ready, so a
 * failed start leaves nothing running.
 */
export async function startDaemon(
  what: string,
  command: string,
  args: readonly string[],
  options: DaemonOptions,
): Promise<DaemonRecord> {
  const daemon = spawnDaemon(command, args, options);
  const { logFile, probe, timeoutMs } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isRunning(daemon)) {
      throw new Error(`${what} exited while starting; ${logFile} ends with:\n${tailOf(logFile)}`);
    }
    let failure: unknown;
    try {
      await probe();
      return daemon;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      await stopDaemon(daemon, { signal: 'SIGKILL', timeoutMs: 5_000 });
      const reason = failure instanceof Error ? failure.message : String(failure);
      throw new Error(
        `${what} not ready after ${timeoutMs} ms (${reason}); ${logFile} ends with:\n${tailOf(logFile)}`,
      );
    }
    await sleep(200);
  }
}

/**
 * Sends `signal` to the process and waits until it has exited; after `timeoutMs` kills its whole process
 * group. Returns at once if the process is already gone.
 */
export async function stopDaemon(
  daemon: DaemonRecord,
  { signal = 'SIGTERM', timeoutMs = 20_000 }: { signal?: NodeJS.Signals; timeoutMs?: number } = {},
): Promise<void> {
  if (!isRunning(daemon)) return;
  signalSafely(daemon.pid, signal);
  if (await exited(daemon, timeoutMs)) return;
  // Detached daemons lead their own process group: take any children they started down with them.
  signalSafely(-daemon.pid, 'SIGKILL');
  if (!(await exited(daemon, 5_000))) throw new Error(`process ${daemon.pid} survived SIGKILL`);
}

/** True while the recorded process exists, is the same process, and is not a zombie awaiting its parent. */
export function isRunning(daemon: DaemonRecord): boolean {
  const fields = readStatFields(daemon.pid);
  return fields !== null && fields[19] === daemon.startTime && fields[0] !== 'Z';
}

/**
 * Starts `command` detached, in its own process group, with no pipe to this process: it outlives the
 * process that started it (cli.ts up exits) and never keeps a jest process from exiting.
 */
function spawnDaemon(command: string, args: readonly string[], options: DaemonOptions): DaemonRecord {
  const log = fs.openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', log, log],
      uid: options.uid,
      gid: options.gid,
    });
    // A failed spawn leaves pid undefined (reported below) and emits 'error', which must not crash us.
    child.on('error', () => undefined);
    child.unref();
    const startTime = child.pid === undefined ? null : (readStatFields(child.pid)?.[19] ?? null);
    if (child.pid === undefined || startTime === null) {
      throw new Error(`could not start ${command} (see ${options.logFile})`);
    }
    return { pid: child.pid, startTime };
  } finally {
    fs.closeSync(log);
  }
}

/**
 * The fields of /proc/<pid>/stat after the command name (which may itself contain spaces), or null if
 * there is no such process: [0] is the state (Z for a zombie), [19] the start time in ticks since boot.
 */
function readStatFields(pid: number): string[] | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

async function exited(daemon: DaemonRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(daemon)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function signalSafely(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // ESRCH: it exited between our check and the signal, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The last lines of a log file, for error messages when a server fails to start. */
function tailOf(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
