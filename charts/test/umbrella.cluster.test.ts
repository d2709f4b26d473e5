// Cluster tier: the umbrella chart really installed with `helm install` into the real
// kube-apiserver of e2e/cluster, in namespaces that enforce the Pod Security "restricted" profile,
// so the apiserver's own validation (schemas, CRDs, PodSecurity admission, RBAC escalation checks)
// accepts every object; kwok plays the node, so the pods are created, scheduled and reported
// Running/Ready (nothing runs in them). Then `helm uninstall` leaves nothing behind but the CRDs,
// which Helm never deletes by design — not even a TranscodeJob of the operator's intake, which Helm
// did not render: the intake makes the release's transcode ConfigMap its owner.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import {
  createNamespace,
  eventually,
  kubeClients,
  refusal,
  type KubeClients,
} from '../../e2e/cluster/test-kit';
import { ALL_TOPICS, Topics } from '@moocflix/platform-bus';
import { createLogger } from '@moocflix/platform-core/log';
import { TranscodeJobResource, type TranscodeJob } from '../../operator/src/api/v1alpha1';
import { ResourceClient } from '../../operator/src/controller-runtime/resource';
import { transcodeJobName } from '../../operator/src/transcode/names';
import { ConfigMapResource, ReleaseOwner } from '../../operator/src/transcode/release-owner';
import { adminClient } from '../../operator/test/support/cluster';
import { REPO_DIR, scratchCharts, type ScratchCharts } from './helm';

const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};
const FULL_VALUES = join(__dirname, 'full-values.yaml');
const KIND_DIR = join(REPO_DIR, 'e2e', 'kind');
const CLUSTER_OVERRIDES = join(__dirname, 'cluster-overrides.yaml');
const suffix = Date.now().toString(36);

let c: KubeClients;
let charts: ScratchCharts;
const namespaces: string[] = [];

beforeAll(async () => {
  c = kubeClients();
  charts = scratchCharts();
  await applyStrimziKafkaTopicCrdFixture();
}, 120_000);

afterAll(async () => {
  for (const namespace of namespaces)
    await c?.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  await removeStrimziKafkaTopicCrdFixture();
  charts?.remove();
}, 60_000);

/**
 * The operator makes Strimzi KafkaTopics; a cluster without Strimzi has no such CRD. The umbrella
 * chart itself creates none, but a real cluster has Strimzi, so its KafkaTopic CRD (Strimzi ≥ 1.0,
 * the operator's test fixture) is applied when absent, and removed again afterwards so the
 * operator's own cluster tests find the control plane as they expect it.
 */
const STRIMZI_FIXTURE = join(REPO_DIR, 'operator', 'test', 'fixtures', 'strimzi-kafkatopic-crd-v1.yaml');
let createdStrimziCrd: string | undefined;

async function applyStrimziKafkaTopicCrdFixture(): Promise<void> {
  if (!existsSync(STRIMZI_FIXTURE)) return;
  const crd = k8s.loadYaml(readFileSync(STRIMZI_FIXTURE, 'utf8')) as k8s.V1CustomResourceDefinition;
  const name = crd.metadata!.name!;
  const exists = await c.apiextensions.readCustomResourceDefinition({ name }).then(
    () => true,
    () => false,
  );
  if (exists) return;
  await c.apiextensions.createCustomResourceDefinition({ body: crd });
  createdStrimziCrd = name;
}

async function removeStrimziKafkaTopicCrdFixture(): Promise<void> {
  if (!createdStrimziCrd) return;
  const name = createdStrimziCrd;
  await c.apiextensions.deleteCustomResourceDefinition({ name });
  await eventually(`CRD ${name} deleted`, () =>
    c.apiextensions.readCustomResourceDefinition({ name }).then(
      () => undefined,
      () => true,
    ),
  );
}

async function restrictedNamespace(name: string): Promise<string> {
  const namespace = `${name}-${suffix}`;
  await createNamespace(c.core, namespace, RESTRICTED);
  namespaces.push(namespace);
  return namespace;
}

interface Installed {
  release: string;
  namespace: string;
  stderr: string;
}

async function install(name: string, ...args: string[]): Promise<Installed> {
  const namespace = await restrictedNamespace(name);
  const release = 'moocflix';
  const { stderr } = await charts.helm(
    'install',
    release,
    join(charts.dir, 'moocflix'),
    '--namespace',
    namespace,
    // Every Deployment available: its pods were admitted under "restricted", scheduled, and Ready.
    '--wait',
    '--timeout',
    '3m',
    ...args,
  );
  return { release, namespace, stderr };
}

/** Everything of the release that is still in the namespace, as "Kind/name". */
async function leftovers({ namespace, release }: Installed): Promise<string[]> {
  const labelSelector = `app.kubernetes.io/instance=${release}`;
  const apps = c.kc.makeApiClient(k8s.AppsV1Api);
  const policy = c.kc.makeApiClient(k8s.PolicyV1Api);
  const networking = c.kc.makeApiClient(k8s.NetworkingV1Api);
  const rbac = c.kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const autoscaling = c.kc.makeApiClient(k8s.AutoscalingV2Api);
  const lists = await Promise.all([
    apps
      .listNamespacedDeployment({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `Deployment/${o.metadata?.name}`)),
    apps
      .listNamespacedReplicaSet({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `ReplicaSet/${o.metadata?.name}`)),
    c.core
      .listNamespacedPod({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `Pod/${o.metadata?.name}`)),
    c.core
      .listNamespacedService({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `Service/${o.metadata?.name}`)),
    c.core
      .listNamespacedServiceAccount({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `ServiceAccount/${o.metadata?.name}`)),
    c.core
      .listNamespacedConfigMap({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `ConfigMap/${o.metadata?.name}`)),
    c.core.listNamespacedSecret({ namespace }).then((l) => l.items.map((o) => `Secret/${o.metadata?.name}`)),
    policy
      .listNamespacedPodDisruptionBudget({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `PodDisruptionBudget/${o.metadata?.name}`)),
    networking
      .listNamespacedNetworkPolicy({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `NetworkPolicy/${o.metadata?.name}`)),
    networking
      .listNamespacedIngress({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `Ingress/${o.metadata?.name}`)),
    rbac
      .listNamespacedRole({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `Role/${o.metadata?.name}`)),
    rbac
      .listNamespacedRoleBinding({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `RoleBinding/${o.metadata?.name}`)),
    autoscaling
      .listNamespacedHorizontalPodAutoscaler({ namespace, labelSelector })
      .then((l) => l.items.map((o) => `HorizontalPodAutoscaler/${o.metadata?.name}`)),
    c.custom
      .listNamespacedCustomObject({
        group: 'moocflix.io',
        version: 'v1alpha1',
        namespace,
        plural: 'moocflixtopics',
      })
      .then((l: { items: { metadata: { name: string } }[] }) =>
        l.items.map((o) => `MoocFlixTopic/${o.metadata.name}`),
      ),
    // Every one, not only the release's: the intake's carry no release label. Asked again while
    // the apiserver answers 429 "storage is (re)initializing" (seen once under load, right after
    // `helm install` created the CRD).
    eventually('TranscodeJobs listed', () =>
      c.custom.listNamespacedCustomObject({
        group: 'moocflix.io',
        version: 'v1alpha1',
        namespace,
        plural: 'transcodejobs',
      }),
    ).then((l: { items: { metadata: { name: string } }[] }) =>
        l.items.map((o) => `TranscodeJob/${o.metadata.name}`),
      ),
  ]);
  return lists.flat().sort();
}

/**
 * A TranscodeJob as the operator's intake creates it, owned through the intake's own lookup of the
 * release's transcode ConfigMap (the operator pod itself runs nothing here: kwok plays its node).
 */
async function createIntakeTranscodeJob({ namespace }: Installed): Promise<string> {
  const client = await adminClient();
  try {
    const owner = await new ReleaseOwner({
      configMaps: new ResourceClient(client, ConfigMapResource),
      namespace,
      name: 'moocflix-operator-transcode',
      logger: createLogger('test', 'silent'),
    }).reference();
    expect(owner).toMatchObject({ kind: 'ConfigMap', name: 'moocflix-operator-transcode' });
    const requestId = `uninstall-${suffix}`;
    const request = {
      requestId,
      videoId: 'video-1',
      courseId: 'course-1',
      requestedBy: 'instructor-1',
      sourceKey: 'uploads/video-1/source.mp4',
      outputPrefix: 'videos/video-1/',
      sourceFormat: 'mp4',
      requestedAt: new Date().toISOString(),
    };
    const tj = await new ResourceClient<TranscodeJob>(client, TranscodeJobResource).create({
      metadata: { name: transcodeJobName(requestId), namespace, ownerReferences: [owner!] },
      spec: { videoId: request.videoId, requestId, priority: 0, request },
    });
    return `TranscodeJob/${tj.metadata.name}`;
  } finally {
    client.close();
  }
}

async function expectCleanUninstall(installed: Installed): Promise<void> {
  await charts.helm(
    'uninstall',
    installed.release,
    '--namespace',
    installed.namespace,
    '--wait',
    '--timeout',
    '2m',
  );
  // Pods and ReplicaSets go through the garbage collector, shortly after their owners.
  await eventually(
    'nothing of the release left',
    async () => ((await leftovers(installed)).length === 0 ? true : undefined),
    60_000,
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}; left: ${(await leftovers(installed)).join(', ')}`);
  });
  // Helm installs CRDs from crds/ and, by design, never deletes them.
  for (const crd of ['moocflixtopics.moocflix.io', 'transcodejobs.moocflix.io']) {
    await c.apiextensions.readCustomResourceDefinition({ name: crd });
  }
}

test('with default values: installed under "restricted", every object accepted, every pod Ready, then uninstalled clean', async () => {
  const installed = await install('chart-defaults');
  expect(installed.stderr).not.toMatch(/PodSecurity|would violate/);

  const found = await leftovers(installed);
  const count = (kind: string) => found.filter((o) => o.startsWith(`${kind}/`)).length;
  expect(found).toEqual(
    expect.arrayContaining([
      'Deployment/moocflix-users',
      'Deployment/moocflix-courses',
      'Deployment/moocflix-content',
      'Deployment/moocflix-assessments',
      'Deployment/moocflix-notifications',
      'Deployment/moocflix-operator',
      'Role/moocflix-operator',
      'Role/moocflix-operator-leader-election',
      'ServiceAccount/moocflix-operator-transcode',
      'ConfigMap/moocflix-operator-transcode',
      'MoocFlixTopic/session-revoked',
      'MoocFlixTopic/transcoding-request-dlq',
    ]),
  );
  expect(count('Deployment')).toBe(6);
  // Every platform topic, and a dead-letter topic for each one the services consume (all but
  // Session-Revoked, read by the kit's feed, and Module-Completed, which nothing consumes yet).
  expect(count('MoocFlixTopic')).toBe(
    ALL_TOPICS.length +
      ALL_TOPICS.filter((t) => t !== Topics.SessionRevoked && t !== Topics.ModuleCompleted).length,
  );
  expect(count('NetworkPolicy')).toBe(7); // one per Deployment, one for the transcode Job pods
  expect(count('PodDisruptionBudget')).toBe(6);
  expect(count('Secret')).toBe(1); // Helm's release record only: the chart creates no Secret
  // 2 replicas of each of the five services and of the operator.
  expect(count('Pod')).toBe(12);

  // The apiserver defaulted and kept the CRD fields the chart sets.
  const topic = (await c.custom.getNamespacedCustomObject({
    group: 'moocflix.io',
    version: 'v1alpha1',
    namespace: installed.namespace,
    plural: 'moocflixtopics',
    name: 'session-revoked',
  })) as { spec: Record<string, unknown> };
  expect(topic.spec).toMatchObject({
    topicName: 'Session-Revoked',
    partitions: 3,
    deletionPolicy: 'Retain',
    config: { 'retention.ms': 86400000 },
  });

  const transcodeJob = await createIntakeTranscodeJob(installed);
  expect(await leftovers(installed)).toContain(transcodeJob);
  await expectCleanUninstall(installed);
}, 300_000);

test('with every option on (transcoder workers, HPA, Ingress, extra volumes...): accepted, then uninstalled clean', async () => {
  const installed = await install('chart-full', '-f', FULL_VALUES, '-f', CLUSTER_OVERRIDES);
  expect(installed.stderr).not.toMatch(/PodSecurity|would violate/);
  const found = await leftovers(installed);
  expect(found).toEqual(
    expect.arrayContaining([
      'Deployment/moocflix-transcoder',
      'HorizontalPodAutoscaler/moocflix-users',
      'Ingress/moocflix',
      'ServiceAccount/transcode',
    ]),
  );
  await expectCleanUninstall(installed);
}, 300_000);

test('the kind e2e: its PostgreSQL and SeaweedFS manifests and the umbrella chart with its values, accepted under "restricted"', async () => {
  const objects = c.kc.makeApiClient(k8s.KubernetesObjectApi);
  const namespace = await restrictedNamespace('kind-e2e');
  // The same manifests e2e/kind/run.sh applies (Kafka needs Strimzi's own CRDs and operator: not here).
  for (const file of ['postgres.yaml', 'seaweedfs.yaml']) {
    for (const manifest of k8s.loadAllYaml(
      readFileSync(join(KIND_DIR, 'manifests', file), 'utf8'),
    ) as k8s.KubernetesObject[]) {
      await objects.create({ ...manifest, metadata: { ...manifest.metadata, namespace } });
    }
  }
  const apps = c.kc.makeApiClient(k8s.AppsV1Api);
  for (const name of ['postgres', 'seaweedfs']) {
    await eventually(`${name} available`, async () => {
      const deployment = await apps.readNamespacedDeployment({ name, namespace });
      return (deployment.status?.availableReplicas ?? 0) >= 1 || undefined;
    });
  }
  const tags = [
    'users',
    'courses',
    'content',
    'assessments',
    'notifications',
    'operator',
    'operator.jobs',
  ].flatMap((part) => ['--set', `${part}.image.tag=e2e`]);
  const { stderr } = await charts.helm(
    'install',
    'moocflix',
    join(charts.dir, 'moocflix'),
    '--namespace',
    namespace,
    '-f',
    join(KIND_DIR, 'values.yaml'),
    ...tags,
    '--wait',
    '--timeout',
    '3m',
  );
  expect(stderr).not.toMatch(/PodSecurity|would violate/);
  await charts.helm('uninstall', 'moocflix', '--namespace', namespace, '--wait');
}, 300_000);

test('a pod that breaks the "restricted" profile is refused in these namespaces (the check above is real)', async () => {
  const namespace = await restrictedNamespace('chart-psa');
  const { code, message } = await refusal(
    c.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'root' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    }),
  );
  expect(code).toBe(403);
  expect(message).toMatch(/violates PodSecurity "restricted/);
});
