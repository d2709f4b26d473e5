// Starting and stopping the control-plane processes. Each writes to its own log file and is
// recorded by PID (with its binary, to recognise it later), so `cli.ts down` in another process
// can stop what `cli.ts up` started.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  name: string;
  pid: number;
  binary: string;
  logFile: string;
}

export function startProcess(
  name: string,
  binary: string,
  args: string[],
  logDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ManagedProcess {
  const logFile = join(logDir, `${name}.log`);
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(binary, args, { stdio: ['ignore', log, log], env });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${binary})`);
    // A process killed by a signal writes nothing: say in its log how it ended, for the error
    // message that quotes the log's tail.
    child.once('exit', (code, signal) => {
      try {
        appendFileSync(logFile, `\n[moocflix] ${name} exited: code ${code}, signal ${signal}\n`);
      } catch {
        // the log dir is gone (the control plane was torn down)
      }
    });
    child.unref();
    return { name, pid: child.pid, binary, logFile };
  } finally {
    closeSync(log);
  }
}

/** True while the PID is a live (not zombie) process running the recorded binary. */
export function isRunning(p: ManagedProcess): boolean {
  const proc = `/proc/${p.pid}`;
  if (!existsSync(proc)) {
    try {
      process.kill(p.pid, 0); // no procfs (not Linux): fall back to "the PID exists"
      return true;
    } catch {
      return false;
    }
  }
  try {
    // The state is the field after the parenthesised command name, which may itself contain spaces.
    const stat = readFileSync(`${proc}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`${proc}/cmdline`, 'utf8').split('\0')[0] === p.binary;
  } catch {
    return false; // exited while we looked
  }
}

export function logTail(p: ManagedProcess, lines = 30): string {
  try {
    return readFileSync(p.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function signal(processes: ManagedProcess[], sig: NodeJS.Signals): void {
  for (const p of processes) {
    try {
      if (isRunning(p)) process.kill(p.pid, sig);
    } catch {
      // exited between the check and the signal
    }
  }
}

async function waitGone(processes: ManagedProcess[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processes.some(isRunning)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM, then SIGKILL whatever is still running after the grace period. */
export async function stopProcesses(processes: ManagedProcess[], graceMs = 10_000): Promise<void> {
  signal(processes, 'SIGTERM');
  if (await waitGone(processes, graceMs)) return;
  signal(processes, 'SIGKILL');
  if (!(await waitGone(processes, 5_000))) {
    const left = processes.filter(isRunning).map((p) => `${p.name} (pid ${p.pid})`);
    throw new Error(`still running after SIGKILL: ${left.join(', ')}`);
  }
}

/** For exit and signal handlers, which cannot wait: SIGKILL without grace. */
export function killNow(processes: ManagedProcess[]): void {
  signal(processes, 'SIGKILL');
}
