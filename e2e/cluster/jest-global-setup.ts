// Jest global setup of the "cluster" project: one control plane for the whole run. If
// MOOCFLIX_CLUSTER_STATE already names a running one (`cli.ts up`), it is reused and left running.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane } from './control-plane';
import { isRunning } from './processes';
import { readState, rememberOwnedControlPlane, STATE_ENV, writeState } from './state';

export default async function globalSetup(): Promise<void> {
  const existing = process.env[STATE_ENV];
  if (existing && existsSync(existing)) {
    const down = readState(existing).processes.filter((p) => !isRunning(p));
    if (down.length)
      throw new Error(
        `${STATE_ENV}=${existing} is stale (${down.map((p) => p.name).join(', ')} not running)`,
      );
    return;
  }
  const started = Date.now();
  const cp = await startControlPlane().catch((err: Error) => {
    // The control plane is throw-away test infrastructure; once, on a loaded machine, kwok died
    // during start without a word. The tests need A control plane, not that one: start a fresh one
    // (new dir and ports) once more, and let a second failure fail the run.
    console.warn(`\ncluster: control plane start failed; starting a fresh one once more.\n${err.message}`);
    return startControlPlane();
  });
  const stateFile = join(cp.dir, 'state.json');
  writeState(stateFile, cp);
  process.env[STATE_ENV] = stateFile; // inherited by the test workers, which start after this
  rememberOwnedControlPlane(cp); // exit-guard.ts removes it should jest end without the teardown
  console.log(
    `\ncluster: Kubernetes ${cp.kubernetesVersion} ready at ${cp.server} in ${Date.now() - started} ms`,
  );
}
