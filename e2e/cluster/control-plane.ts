// A real Kubernetes control plane on 127.0.0.1 for the cluster test tier (docs/architecture.md#test-tiers):
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler, and kwok playing the nodes.
//
// We wire it ourselves rather than through `kwokctl create cluster --runtime binary`: kwokctl
// needs kubectl (it waits for the cluster with `kubectl get --raw /version`) and downloads it
// from dl.k8s.io when none is on PATH, binds to 0.0.0.0 by default, and gives us no handle on
// the readiness of each component. The flags below follow kwokctl's and kubeadm's choices.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterBinaries, toolVersions } from './binaries';
import { httpsRequest, type TlsCredentials } from './https-client';
import { writeKubeconfig } from './kubeconfig';
import { FAKE_NODE_ANNOTATION, kwokStages } from './kwok-stages';
import { generatePki } from './pki';
import { tieToThisProcess, untie } from './exit-guard';
import { freePorts } from './ports';
import { startProcess, stopProcesses, type ManagedProcess } from './processes';
import { waitUntil } from './wait';

export interface ControlPlaneOptions {
  /** Fake nodes kwok plays (kwok-node-0, kwok-node-1, ...). */
  nodes?: number;
  /** Delay of each pod step (Pending -> Running -> Succeeded/Failed). */
  podStepDelayMs?: number;
  /** Budget for the whole start, from spawning etcd to a Ready node. */
  startTimeoutMs?: number;
}

/** Everything a test or `cli.ts down` needs; serialised as the state file. */
export interface ControlPlane {
  /** Temp dir holding certificates, kubeconfigs, etcd data and logs/. Deleted by stop. */
  dir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin kubeconfig (system:masters, client certificate). */
  kubeconfig: string;
  caCert: string;
  kubernetesVersion: string;
  nodes: string[];
  helm: string;
  processes: ManagedProcess[];
}

const SERVICE_CIDR = '10.96.0.0/16';
const POD_CIDR = '10.244.0.0/16';

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const { nodes = 1, podStepDelayMs = 1000, startTimeoutMs = 60_000 } = options;
  const deadline = Date.now() + startTimeoutMs;
  const remaining = () => Math.max(deadline - Date.now(), 1);
  const bin = clusterBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'moocflix-cluster-'));
  tieToThisProcess({ dir });
  const path = (...p: string[]) => join(dir, ...p);
  for (const d of ['pki', 'logs', 'etcd', 'kwok']) mkdirSync(path(d), { mode: 0o700 });

  const pki = generatePki(path('pki'));
  const ports = await freePorts('etcd', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler');
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const kubeconfig = path('admin.kubeconfig');
  writeKubeconfig(kubeconfig, server, pki.caCert, 'admin', pki.admin);
  writeKubeconfig(
    path('kube-controller-manager.kubeconfig'),
    server,
    pki.caCert,
    'kube-controller-manager',
    pki.controllerManager,
  );
  writeKubeconfig(path('kube-scheduler.kubeconfig'), server, pki.caCert, 'kube-scheduler', pki.scheduler);
  writeKubeconfig(path('kwok.kubeconfig'), server, pki.caCert, 'kwok', pki.kwok);
  writeFileSync(path('kwok', 'kwok.yaml'), kwokStages(podStepDelayMs));

  const processes: ManagedProcess[] = [];
  const start = (name: string, binary: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const p = startProcess(name, binary, args, path('logs'), env);
    processes.push(p);
    tieToThisProcess({ process: p });
    return p;
  };
  const admin: TlsCredentials = {
    ca: readFileSync(pki.caCert),
    cert: readFileSync(pki.admin.cert),
    key: readFileSync(pki.admin.key),
  };
  const api = (method: string, apiPath: string, body?: unknown) =>
    httpsRequest(server + apiPath, admin, method, body);

  try {
    const peer = `http://127.0.0.1:${ports.etcdPeer}`;
    const etcd = start('etcd', bin.etcd, [
      '--name=moocflix',
      `--data-dir=${path('etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${ports.etcd}`,
      `--advertise-client-urls=http://127.0.0.1:${ports.etcd}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=moocflix=${peer}`,
      // Throw-away data: skipping fsync makes every write, and so every test, faster.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    const apiserver = start('kube-apiserver', bin.kubeApiserver, [
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${ports.apiserver}`,
      `--etcd-servers=http://127.0.0.1:${ports.etcd}`,
      `--tls-cert-file=${pki.apiserver.cert}`,
      `--tls-private-key-file=${pki.apiserver.key}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=Node,RBAC',
      // The default admission plugins stay on, PodSecurity and ServiceAccount among them. Privileged
      // pods are allowed by the apiserver so that Pod Security admission is what refuses them.
      '--allow-privileged=true',
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${pki.serviceAccountKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // The apiserver's own address is 127.0.0.1, which Endpoints may not hold; nothing in this
      // cluster reaches the apiserver through the `kubernetes` Service, so skip publishing it.
      '--endpoint-reconciler-type=none',
    ]);
    await waitUntil(
      'kube-apiserver /readyz',
      async () => (await api('GET', '/readyz')).status === 200,
      [etcd, apiserver],
      remaining(),
    );

    const delegated = (kubeconfigPath: string) => [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
    ];
    const kcm = start('kube-controller-manager', bin.kubeControllerManager, [
      ...delegated(path('kube-controller-manager.kubeconfig')),
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.controllerManager}`,
      `--cert-dir=${path('pki', 'kcm')}`,
      // As kubeadm does: each controller acts as its own service account, so RBAC is the real one
      // (e.g. the garbage collector's), and kube-root-ca.crt is published into every namespace.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--leader-elect=false',
    ]);
    const scheduler = start('kube-scheduler', bin.kubeScheduler, [
      ...delegated(path('kube-scheduler.kubeconfig')),
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.scheduler}`,
      '--leader-elect=false',
    ]);
    const kwokArgs = [
      `--kubeconfig=${path('kwok.kubeconfig')}`,
      `--config=${path('kwok', 'kwok.yaml')}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
      '--node-ip=127.0.0.1',
      `--cidr=${POD_CIDR}`,
      '--node-lease-duration-seconds=40',
    ];
    // KWOK_WORKDIR: kwok also loads ~/.kwok/kwok.yaml if present; point it at our own dir instead.
    const kwok = start('kwok', bin.kwok, kwokArgs, { ...process.env, KWOK_WORKDIR: path('kwok') });
    const all = [etcd, apiserver, kcm, scheduler, kwok];

    // Their serving certificates are self-signed, so probe without a CA (see https-client.ts).
    const healthy = (port: number) => async () =>
      (await httpsRequest(`https://127.0.0.1:${port}/healthz`, {})).status === 200;
    await waitUntil('kube-controller-manager /healthz', healthy(ports.controllerManager), all, remaining());
    await waitUntil('kube-scheduler /healthz', healthy(ports.scheduler), all, remaining());

    const nodeNames = Array.from({ length: nodes }, (_, i) => `kwok-node-${i}`);
    for (const name of nodeNames) {
      const res = await api('POST', '/api/v1/nodes', fakeNode(name));
      if (res.status !== 201) throw new Error(`creating node ${name}: HTTP ${res.status} ${res.body}`);
    }
    for (const name of nodeNames) {
      await waitUntil(
        `node ${name} Ready (kwok)`,
        async () => {
          const node = JSON.parse((await api('GET', `/api/v1/nodes/${name}`)).body) as NodeStatusView;
          const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          const notReadyTaint = node.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready');
          return Boolean(ready && !notReadyTaint);
        },
        all,
        remaining(),
      );
    }
    // Pods are refused until their namespace's default ServiceAccount exists; the controller
    // manager creates it, so this also proves its controllers run.
    await waitUntil(
      'default/default ServiceAccount',
      async () => (await api('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      all,
      remaining(),
    );

    return {
      dir,
      server,
      kubeconfig,
      caCert: pki.caCert,
      kubernetesVersion: toolVersions().KUBERNETES_VERSION!,
      nodes: nodeNames,
      helm: bin.helm,
      processes,
    };
  } catch (err) {
    await stopControlPlane({ dir, processes }, { keepDir: true });
    throw new Error(`control plane did not start (logs kept in ${path('logs')}): ${(err as Error).message}`);
  }
}

/** Stops every process (dependents first, etcd last), then deletes the temp dir unless keepDir. */
export async function stopControlPlane(
  cp: Pick<ControlPlane, 'dir' | 'processes'>,
  { keepDir = false } = {},
): Promise<void> {
  const byName = (...names: string[]) => cp.processes.filter((p) => names.includes(p.name));
  await stopProcesses(byName('kwok', 'kube-scheduler', 'kube-controller-manager'));
  await stopProcesses(byName('kube-apiserver'));
  await stopProcesses(byName('etcd'));
  untie(cp);
  if (!keepDir) rmSync(cp.dir, { recursive: true, force: true });
}

interface NodeStatusView {
  spec?: { taints?: { key: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

function fakeNode(name: string): object {
  const resources = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [FAKE_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    status: { allocatable: resources, capacity: resources },
  };
}
