/**
 * kafkajs 2.2.4 (the last release, 2023) against the stack's Kafka 4.x broker. Kafka 4.0 removed old
 * protocol versions (KIP-896); these tests pin down that every path the platform relies on still works.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { type Admin, type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import { stackEnv, waitFor } from './control';

const brokers = stackEnv().KAFKA_BROKERS.split(',');
const kafka = new Kafka({ clientId: 'kafka-compat-test', brokers, logLevel: logLevel.NOTHING });
const topic = `compat-${randomUUID()}`;
const groupId = `compat-group-${randomUUID()}`;
const keys = ['course-a', 'course-b', 'course-c', 'course-d'];

let admin: Admin;
const clients: Array<Producer | Consumer> = [];

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.disconnect()));
  await admin.disconnect();
});

test('every request kafkajs implements negotiates a version the broker still serves', async () => {
  const [host, port] = (brokers[0] ?? '').split(':');
  const served = await brokerApiVersions(host ?? '', Number(port));
  // kafkajs keeps its protocol tables internal; it is pinned and unmaintained, so they will not move.
  const apiKeys = require('kafkajs/src/protocol/requests/apiKeys') as Record<string, number>;
  const unusable: string[] = [];
  for (const [name, apiKey] of Object.entries(apiKeys)) {
    const supported = kafkajsVersions(name);
    if (supported.length === 0) continue; // kafkajs never sends it
    const range = served.get(apiKey);
    if (!range || !supported.some((version) => version >= range.min && version <= range.max)) {
      unusable.push(
        `${name}: kafkajs ${supported.join(',')} vs broker ${range ? `${range.min}-${range.max}` : 'none'}`,
      );
    }
  }
  expect(unusable).toEqual([]);
});

test('admin: createTopics, listTopics, fetchTopicMetadata, fetchTopicOffsets', async () => {
  await expect(
    admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true }),
  ).resolves.toBe(true);
  // Creating it again is not an error: createTopics answers false.
  await expect(
    admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }),
  ).resolves.toBe(false);

  expect(await admin.listTopics()).toContain(topic);
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  expect(topics).toHaveLength(1);
  expect(topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
  expect(topics[0]?.partitions.every((p) => p.leader >= 0 && p.isr.length === 1)).toBe(true);

  // Kafka 4 is KRaft-only, and a KRaft broker can list a new partition's leader in its metadata a moment
  // before that partition serves requests: ListOffsets then answers NOT_LEADER_OR_FOLLOWER, which kafkajs'
  // fetchTopicOffsets does not retry (it retries only UNKNOWN_TOPIC_OR_PARTITION). Callers must retry.
  const offsets = await waitFor(() => admin.fetchTopicOffsets(topic), { timeoutMs: 10_000 });
  expect(offsets.map((o) => [o.partition, o.low, o.high]).sort()).toEqual([
    [0, '0', '0'],
    [1, '0', '0'],
    [2, '0', '0'],
  ]);
});

test('idempotent producer, consumer group in order per key, committed offsets, resume in the same group', async () => {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  clients.push(producer);
  await producer.connect();
  await produceRound(producer, 0);

  // First consumer: reads round 0 from the beginning and commits as it goes.
  const first = await consume(groupId, keys.length * 5);
  expectInOrderPerKey(first, 0);
  // Offsets are committed per partition: they must reach the end of every partition.
  const ends = await admin.fetchTopicOffsets(topic);
  await waitFor(async () => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));
    expect(ends.map((end) => byPartition.get(end.partition))).toEqual(ends.map((end) => end.high));
  });

  // Second consumer in the same group: starts at the committed offsets, so it sees round 1 only.
  await produceRound(producer, 1);
  const second = await consume(groupId, keys.length * 5);
  expectInOrderPerKey(second, 1);
});

/** Five messages per key, values "<round>:<sequence>", in one idempotent send with acks=all. */
async function produceRound(producer: Producer, round: number): Promise<void> {
  const messages = [0, 1, 2, 3, 4].flatMap((sequence) =>
    keys.map((key) => ({ key, value: `${round}:${sequence}` })),
  );
  const results = await producer.send({ topic, acks: -1, messages });
  expect(results.every((result) => result.errorCode === 0)).toBe(true);
}

interface Received {
  key: string;
  value: string;
  partition: number;
}

/**
 * Joins `group`, collects `count` messages, then leaves the group. Had a consumer not resumed at the
 * committed offsets, the older messages (lower offsets) would arrive first and fail the per-key check.
 */
async function consume(group: string, count: number): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: group, heartbeatInterval: 500 });
  clients.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Received[] = [];
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      received.push({ key: String(message.key), value: String(message.value), partition });
    },
  });
  await waitFor(() => received.length >= count, { timeoutMs: 30_000, description: `${count} messages` });
  await consumer.disconnect(); // commits the offsets it has resolved and leaves the group
  return received;
}

function expectInOrderPerKey(received: Received[], round: number): void {
  for (const key of keys) {
    const ofKey = received.filter((message) => message.key === key);
    expect(ofKey.map((message) => message.value)).toEqual(
      [0, 1, 2, 3, 4].map((sequence) => `${round}:${sequence}`),
    );
    // One key, one partition: that is what keeps an entity's events in order.
    expect(new Set(ofKey.map((message) => message.partition)).size).toBe(1);
  }
  expect(received).toHaveLength(keys.length * 5);
}

/** The kafkajs request module's supported versions, e.g. Fetch → [0..11]; [] for requests it never sends. */
function kafkajsVersions(name: string): number[] {
  const folder = name.charAt(0).toLowerCase() + name.slice(1);
  try {
    const { versions } = require(`kafkajs/src/protocol/requests/${folder}`) as { versions: string[] };
    return versions.map(Number);
  } catch {
    return [];
  }
}

/**
 * The broker's ApiVersions answer (request v0, which every broker serves), read with a raw socket so the
 * check does not depend on the client under test.
 */
function brokerApiVersions(host: string, port: number): Promise<Map<number, { min: number; max: number }>> {
  const clientId = Buffer.from('kafka-compat-test');
  const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  request.writeInt32BE(request.length - 4, 0);
  request.writeInt16BE(18, 4); // ApiVersions
  request.writeInt16BE(0, 6); // version 0
  request.writeInt32BE(1, 8); // correlation id
  request.writeInt16BE(clientId.length, 12);
  clientId.copy(request, 14);

  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write(request));
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 4 || buffer.length < 4 + buffer.readInt32BE(0)) return;
      socket.end();
      const errorCode = buffer.readInt16BE(8);
      if (errorCode !== 0) return reject(new Error(`ApiVersions error ${errorCode}`));
      const versions = new Map<number, { min: number; max: number }>();
      const count = buffer.readInt32BE(10);
      for (let i = 0, at = 14; i < count; i++, at += 6) {
        versions.set(buffer.readInt16BE(at), {
          min: buffer.readInt16BE(at + 2),
          max: buffer.readInt16BE(at + 4),
        });
      }
      resolve(versions);
    });
    socket.on('error', reject);
  });
}
