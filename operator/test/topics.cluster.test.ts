// MoocFlixTopic → Strimzi KafkaTopic against a real apiserver, the operator running in-process.
// There is no Strimzi here: its KafkaTopic CRD is the fixture, and the tests play its topic operator
// (status Ready, its finalizer).
import { createNamespace, eventually, kubeClients, type KubeClients } from '../../e2e/cluster/test-kit';
import { MoocFlixTopicResource, TopicReason, type MoocFlixTopic } from '../src/api/v1alpha1';
import type { KubeClient } from '../src/controller-runtime/client';
import { findCondition, rfc3339 } from '../src/controller-runtime/objects';
import { ResourceClient } from '../src/controller-runtime/resource';
import { STRIMZI_MANAGED_ANNOTATION, type KafkaTopic } from '../src/topics/strimzi-backend';
import { kafkaTopicResource } from '../src/topics/strimzi-discovery';
import { TOPIC_FINALIZER } from '../src/topics/topic-reconciler';
import {
  adminClient,
  installCrds,
  OPERATOR_CRDS,
  startOperator,
  STRIMZI_V1_CRD,
  STRIMZI_V1BETA2_CRD,
  type InProcessOperator,
} from './support/cluster';

jest.setTimeout(120_000);

const ns = `topics-${Date.now().toString(36)}`;
const STRIMZI_FINALIZER = 'strimzi.io/topic-operator';
let c: KubeClients;
let client: KubeClient;
let topics: ResourceClient<MoocFlixTopic>;
let kafkaTopics: ResourceClient<KafkaTopic>;
let running: InProcessOperator | undefined;

const operatorEnv = {
  WATCH_NAMESPACES: ns,
  POD_NAMESPACE: ns,
  OPERATOR_CONTROLLERS: 'topics',
  TOPIC_BACKEND: 'auto',
  STRIMZI_CLUSTER: 'test-kafka',
  LEADER_ELECTION: 'false',
  RESYNC_SECONDS: '2',
};

beforeAll(async () => {
  c = kubeClients();
  await installCrds(c, [...OPERATOR_CRDS, STRIMZI_V1BETA2_CRD]);
  await createNamespace(c.core, ns);
  client = await adminClient();
  topics = new ResourceClient(client, MoocFlixTopicResource);
  kafkaTopics = new ResourceClient(client, kafkaTopicResource('v1beta2'));
  running = await startOperator(operatorEnv);
});

afterAll(async () => {
  await running?.stop();
  await c?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  client?.close();
});

const createTopic = (name: string, spec: MoocFlixTopic['spec']) =>
  topics.create({ metadata: { name, namespace: ns }, spec });
const ready = (t: MoocFlixTopic | undefined) => findCondition(t?.status?.conditions, 'Ready');

/** Waits for the MoocFlixTopic's Ready condition to have `reason` (for its current generation). */
const readyWith = (name: string, reason: TopicReason, timeoutMs?: number) =>
  eventually(
    `MoocFlixTopic ${name} Ready reason ${reason}`,
    async () => {
      const t = await topics.get(ns, name);
      return t && ready(t)?.reason === reason && t.status?.observedGeneration === t.metadata.generation && t;
    },
    timeoutMs,
  );

/** What Strimzi's topic operator does once it made the topic in Kafka. */
async function strimziReports(
  name: string,
  status: 'True' | 'False',
  reason?: string,
  message?: string,
): Promise<void> {
  const kt = (await kafkaTopics.get(ns, name))!;
  await kafkaTopics.patchStatus(ns, name, {
    observedGeneration: kt.metadata.generation,
    topicName: kt.spec?.topicName,
    conditions: [
      {
        type: 'Ready',
        status,
        lastTransitionTime: rfc3339(new Date()),
        ...(reason && { reason }),
        ...(message && { message }),
      },
    ],
  });
}

test('a MoocFlixTopic becomes a KafkaTopic it owns, labelled with the Strimzi cluster', async () => {
  const mft = await createTopic('transcoding-request', {
    topicName: 'Transcoding-Request',
    partitions: 3,
    replicas: 1,
    config: { 'retention.ms': 604800000, 'cleanup.policy': 'delete' },
  });
  const kt = await eventually('KafkaTopic transcoding-request', () =>
    kafkaTopics.get(ns, 'transcoding-request'),
  );
  expect(kt.metadata.labels).toMatchObject({
    'strimzi.io/cluster': 'test-kafka',
    'app.kubernetes.io/managed-by': 'moocflix-operator',
  });
  expect(kt.metadata.ownerReferences).toEqual([
    {
      apiVersion: 'moocflix.io/v1alpha1',
      kind: 'MoocFlixTopic',
      name: 'transcoding-request',
      uid: mft.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  expect(kt.spec).toEqual({
    topicName: 'Transcoding-Request',
    partitions: 3,
    replicas: 1,
    config: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' },
  });

  const waiting = await readyWith('transcoding-request', TopicReason.WaitingForStrimzi);
  expect(ready(waiting)?.status).toBe('False');
  expect(waiting.status).toMatchObject({
    backend: 'strimzi',
    kafkaTopic: 'kafka.strimzi.io/v1beta2/transcoding-request',
    topicName: 'Transcoding-Request',
  });
  // Retain (the default) needs the finalizer: Strimzi must be told to keep the topic before the KafkaTopic goes.
  expect(waiting.metadata.finalizers).toEqual([TOPIC_FINALIZER]);
});

test("Strimzi's Ready condition is mirrored, with its reason and message when not ready", async () => {
  await strimziReports('transcoding-request', 'True');
  const isReady = await readyWith('transcoding-request', TopicReason.Ready);
  expect(ready(isReady)).toMatchObject({ status: 'True', observedGeneration: 1 });
  expect(isReady.status?.partitions).toBe(3);

  await strimziReports(
    'transcoding-request',
    'False',
    'KafkaError',
    'Replication factor: 3 larger than available brokers: 1',
  );
  const notReady = await readyWith('transcoding-request', TopicReason.KafkaTopicNotReady);
  expect(ready(notReady)?.message).toBe(
    'KafkaTopic kafka.strimzi.io/v1beta2/transcoding-request: KafkaError: Replication factor: 3 larger than available brokers: 1',
  );
});

test('spec changes reach the KafkaTopic; Ready waits until Strimzi has seen them', async () => {
  await topics.mergePatch(ns, 'transcoding-request', {
    spec: { partitions: 6, config: { 'retention.ms': 86400000, 'cleanup.policy': null } },
  });
  const kt = await eventually('KafkaTopic with 6 partitions', async () => {
    const k = await kafkaTopics.get(ns, 'transcoding-request');
    return k?.spec?.partitions === 6 && k;
  });
  // The config is replaced whole: a key removed from the spec goes.
  expect(kt.spec?.config).toEqual({ 'retention.ms': '86400000' });
  const waiting = await readyWith('transcoding-request', TopicReason.WaitingForStrimzi);
  expect(waiting.status?.observedGeneration).toBe(2);

  await strimziReports('transcoding-request', 'True');
  const isReady = await readyWith('transcoding-request', TopicReason.Ready);
  expect(isReady.status?.partitions).toBe(6);
});

test('a periodic resync with nothing changed writes nothing', async () => {
  const before = await Promise.all([
    topics.get(ns, 'transcoding-request'),
    kafkaTopics.get(ns, 'transcoding-request'),
  ]);
  const reconciles = async () => {
    const metric = await running!.operator.registry
      .getSingleMetric('controller_runtime_reconcile_total')!
      .get();
    return metric.values
      .filter((v) => v.labels.controller === 'moocflixtopic')
      .reduce((sum, v) => sum + v.value, 0);
  };
  const count = await reconciles();
  // RESYNC_SECONDS=2: the informers relist and every MoocFlixTopic is reconciled again.
  await eventually('two resyncs', async () => (await reconciles()) >= count + 2, 20_000);
  const after = await Promise.all([
    topics.get(ns, 'transcoding-request'),
    kafkaTopics.get(ns, 'transcoding-request'),
  ]);
  expect(after.map((o) => o!.metadata.resourceVersion)).toEqual(
    before.map((o) => o!.metadata.resourceVersion),
  );
});

test('deletionPolicy Delete: no finalizer, the garbage collector deletes the KafkaTopic with its owner', async () => {
  await createTopic('scratch', { topicName: 'Scratch', partitions: 1, deletionPolicy: 'Delete' });
  await eventually('KafkaTopic scratch', () => kafkaTopics.get(ns, 'scratch'));
  expect((await topics.get(ns, 'scratch'))!.metadata.finalizers ?? []).toEqual([]);
  await topics.delete(ns, 'scratch');
  await eventually('KafkaTopic scratch deleted', async () => !(await kafkaTopics.get(ns, 'scratch')), 60_000);
});

test('deletionPolicy Retain: Strimzi is told to keep the topic in Kafka before the KafkaTopic goes', async () => {
  await createTopic('kept', { topicName: 'Kept', partitions: 1 });
  const kt = await eventually('KafkaTopic kept', () => kafkaTopics.get(ns, 'kept'));
  // Strimzi holds each KafkaTopic with its finalizer, to delete the Kafka topic (or not) first.
  await kafkaTopics.mergePatch(ns, 'kept', {
    metadata: { finalizers: [STRIMZI_FINALIZER], resourceVersion: kt.metadata.resourceVersion },
  });
  await topics.delete(ns, 'kept');
  await eventually('MoocFlixTopic kept gone', async () => !(await topics.get(ns, 'kept')));
  const deleting = await eventually(
    'KafkaTopic kept being deleted',
    async () => {
      const k = await kafkaTopics.get(ns, 'kept');
      return k?.metadata.deletionTimestamp ? k : undefined;
    },
    60_000,
  );
  expect(deleting.metadata.annotations?.[STRIMZI_MANAGED_ANNOTATION]).toBe('false');
  await kafkaTopics.mergePatch(ns, 'kept', { metadata: { finalizers: null } });
  await eventually('KafkaTopic kept deleted', async () => !(await kafkaTopics.get(ns, 'kept')));
});

test('a KafkaTopic of the same name that it does not own is left alone', async () => {
  await kafkaTopics.create({
    metadata: { name: 'foreign', namespace: ns, labels: { 'strimzi.io/cluster': 'other' } },
    spec: { topicName: 'Foreign', partitions: 12 },
  });
  await createTopic('foreign', { topicName: 'Foreign', partitions: 1, deletionPolicy: 'Delete' });
  const conflict = await readyWith('foreign', TopicReason.KafkaTopicConflict);
  expect(ready(conflict)?.message).toContain('is not owned by this MoocFlixTopic');
  const kt = await kafkaTopics.get(ns, 'foreign');
  expect(kt?.spec).toEqual({ topicName: 'Foreign', partitions: 12 });
  expect(kt?.metadata.ownerReferences).toBeUndefined();
});

test('the served KafkaTopic version is discovered: kafka.strimzi.io/v1 on Strimzi 1.0', async () => {
  await running!.stop();
  running = undefined;
  // Strimzi ≥ 1.0 serves only v1 (the fixture switch deletes the v1beta2 CRD and its KafkaTopics).
  await installCrds(c, [STRIMZI_V1_CRD]);
  running = await startOperator(operatorEnv);
  expect(running.operator.topicBackend).toBe('strimzi');
  const v1Topics = new ResourceClient<KafkaTopic>(client, kafkaTopicResource('v1'));
  const kt = await eventually('a v1 KafkaTopic for transcoding-request', () =>
    v1Topics.get(ns, 'transcoding-request'),
  );
  expect(kt.apiVersion).toBe('kafka.strimzi.io/v1');
  expect(kt.spec?.partitions).toBe(6);
  const mft = await eventually('status naming the v1 KafkaTopic', async () => {
    const t = await topics.get(ns, 'transcoding-request');
    return t?.status?.kafkaTopic === 'kafka.strimzi.io/v1/transcoding-request' && t;
  });
  expect(ready(mft)?.reason).toBe(TopicReason.WaitingForStrimzi);
});
