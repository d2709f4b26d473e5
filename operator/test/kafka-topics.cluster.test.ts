// MoocFlixTopic with the kafka backend (no Strimzi): the operator manages the topic itself through
// the Kafka Admin API of a real broker, and corrects drift.
import { ConfigResourceTypes, ConfigSource, type Admin } from 'kafkajs';
import { createNamespace, eventually, kubeClients, type KubeClients } from '../../e2e/cluster/test-kit';
import { MoocFlixTopicResource, TopicReason, type MoocFlixTopic } from '../src/api/v1alpha1';
import type { KubeClient } from '../src/controller-runtime/client';
import { findCondition } from '../src/controller-runtime/objects';
import { ResourceClient } from '../src/controller-runtime/resource';
import {
  adminClient,
  installCrds,
  OPERATOR_CRDS,
  startOperator,
  type InProcessOperator,
} from './support/cluster';
import { startTestKafka, type TestKafka } from './support/kafka';

jest.setTimeout(120_000);

const ns = `kafka-topics-${Date.now().toString(36)}`;
let c: KubeClients;
let client: KubeClient;
let topics: ResourceClient<MoocFlixTopic>;
let kafka: TestKafka;
let admin: Admin;
let running: InProcessOperator;

beforeAll(async () => {
  c = kubeClients();
  kafka = await startTestKafka();
  admin = kafka.kafka.admin();
  await admin.connect();
  await installCrds(c, OPERATOR_CRDS);
  await createNamespace(c.core, ns);
  client = await adminClient();
  topics = new ResourceClient(client, MoocFlixTopicResource);
  running = await startOperator({
    WATCH_NAMESPACES: ns,
    POD_NAMESPACE: ns,
    OPERATOR_CONTROLLERS: 'topics',
    TOPIC_BACKEND: 'kafka',
    KAFKA_BROKERS: kafka.brokers.join(','),
    TOPIC_RESYNC_SECONDS: '2',
    LEADER_ELECTION: 'false',
  });
}, 180_000);

afterAll(async () => {
  await running?.stop();
  await admin?.disconnect();
  await kafka?.stop();
  await c?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  client?.close();
});

const createTopic = (name: string, spec: MoocFlixTopic['spec']) =>
  topics.create({ metadata: { name, namespace: ns }, spec });
const readyCondition = async (name: string) => {
  const t = await topics.get(ns, name);
  return t && t.status?.observedGeneration === t.metadata.generation
    ? findCondition(t.status?.conditions, 'Ready')
    : undefined;
};
const readyWith = (name: string, reason: TopicReason) =>
  eventually(`MoocFlixTopic ${name} Ready reason ${reason}`, async () => {
    const cond = await readyCondition(name);
    return cond?.reason === reason && cond;
  });

async function partitions(topic: string): Promise<number | undefined> {
  if (!(await admin.listTopics()).includes(topic)) return undefined;
  const { topics: meta } = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta[0]?.partitions.length;
}

async function topicConfig(topic: string): Promise<Record<string, string>> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
  });
  return Object.fromEntries(
    described.resources[0]!.configEntries.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG).map(
      (e) => [e.configName, e.configValue],
    ),
  );
}

test('creates the Kafka topic with the partitions and config of the spec', async () => {
  await createTopic('course-creation', {
    topicName: 'Course-Creation',
    partitions: 4,
    config: { 'retention.ms': 3600000 },
  });
  const ready = await readyWith('course-creation', TopicReason.Ready);
  expect(ready.status).toBe('True');
  expect(await partitions('Course-Creation')).toBe(4);
  expect(await topicConfig('Course-Creation')).toEqual({ 'retention.ms': '3600000' });
  expect((await topics.get(ns, 'course-creation'))!.status).toMatchObject({
    backend: 'kafka',
    partitions: 4,
    replicas: 1,
    topicName: 'Course-Creation',
  });
});

test('more partitions in the spec are added to the topic', async () => {
  await topics.mergePatch(ns, 'course-creation', { spec: { partitions: 6 } });
  await eventually('6 partitions', async () => (await partitions('Course-Creation')) === 6);
  await eventually(
    'status with 6 partitions',
    async () => (await topics.get(ns, 'course-creation'))?.status?.partitions === 6,
  );
});

test('drift is corrected: config changed by hand is set back, a deleted topic is made again', async () => {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: 'Course-Creation',
        configEntries: [
          { name: 'retention.ms', value: '1000' },
          { name: 'max.message.bytes', value: '2000' },
        ],
      },
    ],
  });
  expect(await topicConfig('Course-Creation')).toEqual({
    'retention.ms': '1000',
    'max.message.bytes': '2000',
  });
  // TOPIC_RESYNC_SECONDS=2: the next look at the topic restores the spec's config, and only it.
  await eventually('config restored', async () => {
    const config = await topicConfig('Course-Creation');
    return config['retention.ms'] === '3600000' && config['max.message.bytes'] === undefined;
  });

  await admin.deleteTopics({ topics: ['Course-Creation'] });
  await eventually(
    'topic made again with 6 partitions',
    async () => (await partitions('Course-Creation')) === 6,
    60_000,
  );
});

test('partitions added by hand beyond the spec are reported, not hidden', async () => {
  await createTopic('grown', { topicName: 'Grown', partitions: 1 });
  await readyWith('grown', TopicReason.Ready);
  await admin.createPartitions({ topicPartitions: [{ topic: 'Grown', count: 3 }] });
  const cond = await readyWith('grown', TopicReason.PartitionsAboveSpec);
  expect(cond.status).toBe('False');
  expect(cond.message).toContain('has 3 partitions, more than the 1 asked for');
});

test('what Kafka refuses becomes a readable Ready=False', async () => {
  await createTopic('bad-config', {
    topicName: 'Bad-Config',
    partitions: 1,
    config: { 'cleanup.policy': 'sometimes' },
  });
  const badConfig = await readyWith('bad-config', TopicReason.InvalidTopic);
  expect(badConfig.message).toContain('Kafka refused topic Bad-Config');
  expect(await partitions('Bad-Config')).toBeUndefined();

  // One broker cannot hold three replicas.
  await createTopic('too-many-replicas', { topicName: 'Too-Many-Replicas', partitions: 1, replicas: 3 });
  const replicas = await readyWith('too-many-replicas', TopicReason.InvalidTopic);
  expect(replicas.message).toContain('Kafka refused topic Too-Many-Replicas');
});

test('deletionPolicy Delete deletes the Kafka topic with the resource; Retain keeps it', async () => {
  await createTopic('deleted', { topicName: 'Deleted', partitions: 1, deletionPolicy: 'Delete' });
  await createTopic('retained', { topicName: 'Retained', partitions: 1 });
  await Promise.all([readyWith('deleted', TopicReason.Ready), readyWith('retained', TopicReason.Ready)]);
  expect((await topics.get(ns, 'deleted'))!.metadata.finalizers).toEqual(['moocflix.io/topic-cleanup']);
  expect((await topics.get(ns, 'retained'))!.metadata.finalizers ?? []).toEqual([]);

  await topics.delete(ns, 'deleted');
  await topics.delete(ns, 'retained');
  await eventually(
    'both resources gone',
    async () => !(await topics.get(ns, 'deleted')) && !(await topics.get(ns, 'retained')),
  );
  await eventually('topic Deleted gone from Kafka', async () => (await partitions('Deleted')) === undefined);
  expect(await partitions('Retained')).toBe(1);
});
