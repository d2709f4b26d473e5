import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createTestDatabase } from '../../../../e2e/stack/control';
import { Topics } from '@moocflix/platform/events';
import type { ObjectStorage } from '@moocflix/platform/storage';
import { startTestService, type TestService } from '@moocflix/platform/testing';
import { createTranscoderService } from '@moocflix/transcoder/service';
import { kafkaBus } from './content-under-test';

/**
 * The REAL transcoder (the other half of issue 5) in worker mode, in this test process: consumes
 * Transcoding-Request from Kafka, runs ffmpeg, writes to `storage`, publishes progress and
 * completions. Its own consumer group starts at the topic's current end, so it handles only the
 * requests this test file makes, not those other test files left on the topic.
 */
export async function startTranscoderWorker(storage: ObjectStorage): Promise<{ close(): Promise<void> }> {
  const groupId = `content-test-transcoder-${randomUUID()}`;
  await positionGroupAtEnd(groupId, Topics.TranscodingRequest);
  const bus = kafkaBus('content-test-transcoder');
  const service: TestService = await startTestService({
    name: 'transcoder',
    create: createTranscoderService,
    databaseUrl: await createTestDatabase('content_transcoder'),
    bus,
    storage,
    env: { TRANSCODER_CONSUMER_GROUP: groupId, TRANSCODER_X264_PRESET: 'ultrafast' },
  });
  return {
    async close() {
      await service.close();
      await bus.close();
    },
  };
}

async function positionGroupAtEnd(groupId: string, topic: string): Promise<void> {
  const kafka = new Kafka({
    clientId: `position-${groupId}`,
    brokers: process.env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  } finally {
    await admin.disconnect();
  }
}
