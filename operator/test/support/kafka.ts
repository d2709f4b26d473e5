// A Kafka broker of its own for a cluster test file, started through the integration stack's
// code (e2e/stack, prepared by its prepare.sh): the cluster tier's global setup starts only the
// control plane, and each file needs its own Transcoding-Request topic history anyway.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { createEvent, Topics, type CloudEvent, type EventData } from '@moocflix/platform-bus';
import { kafkaBrokers } from '../../../e2e/stack/env';
import { startKafkaCluster, stopBroker } from '../../../e2e/stack/kafka';
import { findTools } from '../../../e2e/stack/tools';

export interface TestKafka {
  brokers: string[];
  kafka: Kafka;
  stop(): Promise<void>;
}

export async function startTestKafka(): Promise<TestKafka> {
  const tools = findTools();
  const dir = mkdtempSync(join(tmpdir(), 'moocflix-operator-kafka-'));
  const state = await startKafkaCluster(dir, tools.kafka);
  const brokers = kafkaBrokers(state);
  return {
    brokers,
    kafka: new Kafka({ clientId: 'operator-test', brokers, logLevel: logLevel.NOTHING }),
    async stop() {
      await stopBroker(state);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TranscodingRequestData = EventData<typeof Topics.TranscodingRequest>;

export function transcodingRequest(
  requestId: string,
  videoId = `video-${requestId}`,
): TranscodingRequestData {
  return {
    requestId,
    videoId,
    courseId: 'course-1',
    requestedBy: 'instructor-1',
    sourceKey: `uploads/${videoId}/source.mp4`,
    outputPrefix: `videos/${videoId}/`,
    sourceFormat: 'mp4',
    requestedAt: new Date().toISOString(),
  };
}

/** Publishes Transcoding-Request events as the content service does (key = video id). */
export async function publishRequests(kafka: Kafka, requests: TranscodingRequestData[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: Topics.TranscodingRequest,
      acks: -1,
      messages: requests.map((data) => ({
        key: data.videoId,
        value: JSON.stringify(
          createEvent(Topics.TranscodingRequest, { source: 'operator-test', subject: data.videoId, data }),
        ),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Collects every event of a topic from the beginning (a fresh consumer group). */
export async function collectEvents(
  kafka: Kafka,
  topic: string,
): Promise<{ events: CloudEvent[]; stop(): Promise<void> }> {
  const consumer: Consumer = kafka.consumer({
    groupId: `operator-test-${Math.random().toString(36).slice(2)}`,
  });
  const events: CloudEvent[] = [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
  } finally {
    await admin.disconnect();
  }
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      events.push(JSON.parse(message.value!.toString()) as CloudEvent);
    },
  });
  return { events, stop: () => consumer.disconnect() };
}
