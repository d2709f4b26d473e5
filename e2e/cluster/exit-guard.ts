// What goes away with this process: control-plane processes and temp dirs tied here are killed
// and deleted if this process exits, or gets SIGINT, SIGTERM or SIGHUP, before stopControlPlane
// untied them, so an interrupted or killed jest run (even mid-setup) leaves nothing behind.
// `cli.ts up` unties its control plane on purpose: it must outlive the command.
import { rmSync } from 'node:fs';
import { killNow, type ManagedProcess } from './processes';

const processes = new Set<ManagedProcess>();
const dirs = new Set<string>();
let installed = false;

function tearDownNow(): void {
  killNow([...processes]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', tearDownNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      tearDownNow();
      process.kill(process.pid, sig); // our listener is gone: the default action (or jest's) follows
    });
  }
}

export function tieToThisProcess(what: { dir?: string; process?: ManagedProcess }): void {
  if (what.dir) dirs.add(what.dir);
  if (what.process) processes.add(what.process);
  install();
}

export function untie(cp: { dir: string; processes: ManagedProcess[] }): void {
  dirs.delete(cp.dir);
  for (const p of cp.processes) processes.delete(p);
}
