// Bring the cluster tier's control plane up or down by hand:
//   node --import tsx e2e/cluster/cli.ts up     # prints the exports to use it
//   node --import tsx e2e/cluster/cli.ts down
// The state file lives at .moocflix/cluster/state.json. With MOOCFLIX_CLUSTER_STATE exported,
// `jest --selectProjects cluster` reuses this control plane instead of starting its own.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startControlPlane, stopControlPlane } from './control-plane';
import { untie } from './exit-guard';
import { readState, STATE_ENV, writeState } from './state';

const stateFile = resolve(__dirname, '..', '..', '.moocflix', 'cluster', 'state.json');

async function up(): Promise<void> {
  if (existsSync(stateFile)) throw new Error(`${stateFile} exists: run \`cli.ts down\` first`);
  const cp = await startControlPlane();
  untie(cp); // it must outlive this command
  mkdirSync(dirname(stateFile), { recursive: true });
  writeState(stateFile, cp);
  console.log(`Kubernetes ${cp.kubernetesVersion} at ${cp.server}; logs in ${join(cp.dir, 'logs')}`);
  console.log(`export KUBECONFIG=${cp.kubeconfig} ${STATE_ENV}=${stateFile} MOOCFLIX_HELM_BIN=${cp.helm}`);
}

async function down(): Promise<void> {
  if (!existsSync(stateFile)) return console.log('no control plane recorded; nothing to stop');
  await stopControlPlane(readState(stateFile));
  rmSync(stateFile);
  console.log('stopped');
}

const command = process.argv[2];
const run = command === 'up' ? up : command === 'down' ? down : undefined;
if (!run) {
  console.error('usage: node --import tsx e2e/cluster/cli.ts up|down');
  process.exit(2);
}
run().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
