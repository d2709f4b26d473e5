// Jest global teardown of the "cluster" project: stops what the global setup started (by PID)
// and deletes its temp dir (MOOCFLIX_CLUSTER_KEEP=1 keeps it, logs included). A control plane
// reused from `cli.ts up` is left running.
import { stopControlPlane } from './control-plane';
import { STATE_ENV, takeOwnedControlPlane } from './state';

export default async function globalTeardown(): Promise<void> {
  const cp = takeOwnedControlPlane();
  if (!cp) return;
  await stopControlPlane(cp, { keepDir: process.env.MOOCFLIX_CLUSTER_KEEP === '1' });
  delete process.env[STATE_ENV];
}
