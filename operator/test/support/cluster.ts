// Helpers of the operator's cluster tests: CRDs, an operator in-process or as a process of its own
// (running under the RBAC of config/rbac, with a service account token), and access to the
// apiserver through the operator's own client.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { createLogger } from '@moocflix/platform-core/log';
import { eventually, type KubeClients } from '../../../e2e/cluster/test-kit';
import { readState } from '../../../e2e/cluster/state';
import { loadOperatorConfig } from '../../src/config';
import { ApiError, KubeClient } from '../../src/controller-runtime/client';
import type { KubeObject } from '../../src/controller-runtime/objects';
import { createOperator, type Operator, type OperatorDependencies } from '../../src/operator';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const CRD_DIR = join(REPO_ROOT, 'crds');
export const FIXTURES = join(__dirname, '..', 'fixtures');
export const OPERATOR_CRDS = [
  join(CRD_DIR, 'moocflix.io_moocflixtopics.yaml'),
  join(CRD_DIR, 'moocflix.io_transcodejobs.yaml'),
];
export const STRIMZI_V1BETA2_CRD = join(FIXTURES, 'strimzi-kafkatopic-crd.yaml');
export const STRIMZI_V1_CRD = join(FIXTURES, 'strimzi-kafkatopic-crd-v1.yaml');

/** Tests log nothing unless OPERATOR_TEST_LOG names a level (e.g. debug). */
export const TEST_LOG_LEVEL = process.env.OPERATOR_TEST_LOG ?? 'silent';

export function adminClient(kubeconfig = process.env.KUBECONFIG): Promise<KubeClient> {
  const kc = new k8s.KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  return KubeClient.fromKubeConfig(kc);
}

function objects(file: string): (KubeObject & Record<string, unknown>)[] {
  return k8s.loadAllYaml(readFileSync(file, 'utf8')) as (KubeObject & Record<string, unknown>)[];
}

/**
 * Creates or replaces CRDs and waits until they are Established. Replacing a CRD whose stored
 * versions the new one drops is refused, so switching the Strimzi fixture deletes the old one first.
 */
export async function installCrds(c: KubeClients, files: string[]): Promise<void> {
  for (const file of files) {
    for (const crd of objects(file) as unknown as k8s.V1CustomResourceDefinition[]) {
      const name = crd.metadata!.name!;
      const existing = await c.apiextensions.readCustomResourceDefinition({ name }).catch(() => undefined);
      if (!existing) {
        await c.apiextensions.createCustomResourceDefinition({ body: crd });
      } else {
        const wanted = new Set(crd.spec.versions.map((v) => v.name));
        if ((existing.status?.storedVersions ?? []).some((v) => !wanted.has(v))) {
          await c.apiextensions.deleteCustomResourceDefinition({ name });
          await eventually(
            `CRD ${name} deleted`,
            async () =>
              !(await c.apiextensions.readCustomResourceDefinition({ name }).catch(() => undefined)),
            60_000,
          );
          await c.apiextensions.createCustomResourceDefinition({ body: crd });
        } else {
          crd.metadata!.resourceVersion = existing.metadata!.resourceVersion;
          await c.apiextensions.replaceCustomResourceDefinition({ name, body: crd });
        }
      }
      await eventually(`CRD ${name} Established`, async () => {
        const current = await c.apiextensions.readCustomResourceDefinition({ name });
        return current.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
      });
    }
  }
}

export interface InProcessOperator {
  operator: Operator;
  stop(): Promise<void>;
}

/** The operator in this process, configured as main.ts would be from `env`. */
export async function startOperator(
  env: Record<string, string>,
  deps: Partial<OperatorDependencies> = {},
): Promise<InProcessOperator> {
  const config = loadOperatorConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: TEST_LOG_LEVEL, ...env });
  const operator = await createOperator(config, {
    logger: createLogger('moocflix-operator', config.LOG_LEVEL),
    client: await adminClient(),
    ...deps,
  });
  await operator.start();
  return { operator, stop: () => operator.stop() };
}

export interface OperatorProcess {
  child: ChildProcess;
  pid: number;
  logFile: string;
  exited: Promise<number | null>;
  /** Sends the signal and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  log(): string;
}

/** `node --import tsx operator/src/main.ts` with `env`, its output in a log file. */
export function spawnOperator(env: Record<string, string>, name = 'operator'): OperatorProcess {
  const dir = testDir();
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'operator', 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error('could not start the operator process');
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    child,
    pid: child.pid,
    logFile,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    log: () => readFileSync(logFile, 'utf8'),
  };
}

/**
 * A kubeconfig for ServiceAccount `namespace/name` bound to the operator's ClusterRole and
 * leader-election Role from operator/config/rbac, so the operator runs with exactly that RBAC.
 */
export async function operatorKubeconfig(
  c: KubeClients,
  namespace: string,
  name = 'moocflix-operator',
): Promise<string> {
  const rbac = (file: string) => objects(join(REPO_ROOT, 'operator', 'config', 'rbac', file))[0]!;
  const clusterRole = rbac('role.yaml') as unknown as k8s.V1ClusterRole;
  const role = rbac('leader_election_role.yaml') as unknown as k8s.V1Role;
  const rbacApi = c.kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const ignoreExists = (err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err;
  };
  clusterRole.metadata!.name = `${namespace}-${name}`;
  await rbacApi.createClusterRole({ body: clusterRole }).catch(ignoreExists);
  await rbacApi.createNamespacedRole({ namespace, body: role }).catch(ignoreExists);
  await c.core
    .createNamespacedServiceAccount({ namespace, body: { metadata: { name } } })
    .catch(ignoreExists);
  const subjects = [{ kind: 'ServiceAccount', name, namespace }];
  await rbacApi
    .createClusterRoleBinding({
      body: {
        metadata: { name: `${namespace}-${name}` },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: clusterRole.metadata!.name,
        },
        subjects,
      },
    })
    .catch(ignoreExists);
  await rbacApi
    .createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: role.metadata!.name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata!.name! },
        subjects,
      },
    })
    .catch(ignoreExists);
  const token = await c.core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cp = readState();
  const file = join(testDir(), 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'test',
          cluster: {
            server: cp.server,
            'certificate-authority-data': readFileSync(cp.caCert).toString('base64'),
          },
        },
      ],
      users: [{ name, user: { token: token.status!.token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: name, namespace } }],
      'current-context': 'test',
    }),
    { mode: 0o600 },
  );
  return file;
}

/**
 * A fresh folder inside the control plane's temp dir: the tier's teardown deletes it with the rest
 * (MOOCFLIX_CLUSTER_KEEP=1 keeps it, operator logs included).
 */
function testDir(): string {
  const parent = join(readState().dir, 'operator-tests');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, 'run-'));
}

/** Awaits a call the apiserver must refuse; its HTTP status and message. */
export async function refusedBy(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the apiserver to refuse the request, but it was accepted');
}
