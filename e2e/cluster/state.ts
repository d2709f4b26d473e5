// The state file: how a running control plane is described to tests and to `cli.ts down`.
// Its path travels in MOOCFLIX_CLUSTER_STATE (jest's global setup sets it before workers start).
import { readFileSync, writeFileSync } from 'node:fs';
import type { ControlPlane } from './control-plane';

export const STATE_ENV = 'MOOCFLIX_CLUSTER_STATE';

export function writeState(file: string, cp: ControlPlane): void {
  writeFileSync(file, JSON.stringify(cp, null, 2) + '\n');
}

export function readState(file = process.env[STATE_ENV]): ControlPlane {
  if (!file)
    throw new Error(
      `${STATE_ENV} is not set: run the cluster tier via jest --selectProjects cluster, or cli.ts up`,
    );
  return JSON.parse(readFileSync(file, 'utf8')) as ControlPlane;
}

// Jest runs the global setup and teardown in one process but loads them as separate modules;
// a global is how the teardown learns which control plane the setup started (if any).
const OWNED = '__moocflixOwnedControlPlane';

export function rememberOwnedControlPlane(cp: ControlPlane): void {
  (globalThis as Record<string, unknown>)[OWNED] = cp;
}

export function takeOwnedControlPlane(): ControlPlane | undefined {
  const cp = (globalThis as Record<string, unknown>)[OWNED] as ControlPlane | undefined;
  delete (globalThis as Record<string, unknown>)[OWNED];
  return cp;
}
