// Runs in every cluster test file before it loads: points clients at the control plane.
//   KUBECONFIG          admin kubeconfig (client certificate in system:masters), read by
//                       @kubernetes/client-node's loadFromDefault() and by helm
//   MOOCFLIX_HELM_BIN   the helm v3 binary built by prepare.sh
//   HELM_*_HOME         inside the control plane's temp dir, so tests never touch ~/.config/helm
// Anything else (server URL, CA, node names, logs) is in the state file: see state.ts.
import { join } from 'node:path';
import { readState } from './state';

const cp = readState();
process.env.KUBECONFIG = cp.kubeconfig;
process.env.MOOCFLIX_HELM_BIN = cp.helm;
for (const kind of ['CONFIG', 'CACHE', 'DATA'])
  process.env[`HELM_${kind}_HOME`] = join(cp.dir, 'helm', kind.toLowerCase());
