import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Topics } from '@moocflix/platform-bus';
import { createObjectStorage, loadStorageConfig, type ObjectStorage } from '@moocflix/platform-storage';
import { positionGroupAtEnd, startTestService, type TestService } from '@moocflix/platform-testing';
import { createTestDatabase } from '../../../../e2e/stack/control';
import { createTranscoderService } from '../../src/service';
import {
  kafkaBrokers,
  publishRequest,
  testBus,
  TranscodingEventsRecorder,
  type TranscodingRequest,
} from './kafka';

export interface TranscoderUnderTest {
  service: TestService;
  storage: ObjectStorage;
  recorder: TranscodingEventsRecorder;
  /** Uploads `localFile` as a source and publishes a request for it; returns the request. */
  request(localFile: string | null, overrides?: Partial<TranscodingRequest>): Promise<TranscodingRequest>;
  close(): Promise<void>;
}

/**
 * A Transcoding-Request for `localFile` (uploaded as its source under `prefix`, unless null), with
 * fresh ids and its output folder under `prefix` too.
 */
export async function storedRequest(
  storage: ObjectStorage,
  prefix: string,
  localFile: string | null,
  overrides: Partial<TranscodingRequest> = {},
): Promise<TranscodingRequest> {
  const videoId = randomUUID();
  const sourceKey = `${prefix}/uploads/${videoId}`;
  if (localFile) await storage.put(sourceKey, createReadStream(localFile));
  return {
    requestId: randomUUID(),
    videoId,
    courseId: randomUUID(),
    requestedBy: randomUUID(),
    sourceKey,
    outputPrefix: `${prefix}/videos/${videoId}/hls`,
    sourceFormat: 'mov',
    requestedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A fresh object prefix per test file, so files never see each other's objects. */
export const testPrefix = (): string => `transcoder-test/${randomUUID()}`;

export function storageFromEnv(): ObjectStorage {
  return createObjectStorage(loadStorageConfig(process.env));
}

/**
 * The worker in-process (the kit's API-test harness) on the REAL stack: Kafka bus, S3 storage, its
 * own consumer group positioned at the end of Transcoding-Request, and a recorder reading what it
 * publishes back from Kafka.
 */
export async function startTranscoder(env: Record<string, string>): Promise<TranscoderUnderTest> {
  const groupId = `transcoder-test-${randomUUID()}`;
  const bus = testBus('transcoder-under-test');
  await bus.ensureTopics([
    Topics.TranscodingRequest,
    Topics.TranscodingCompleted,
    Topics.TranscodingProgress,
  ]);
  await positionGroupAtEnd(kafkaBrokers(), groupId, Topics.TranscodingRequest);
  const storage = storageFromEnv();
  await storage.ensureBucket();

  const recorderBus = testBus('transcoder-test-recorder');
  const recorder = new TranscodingEventsRecorder(recorderBus);
  await recorder.start();
  const service = await startTestService({
    name: 'transcoder',
    create: createTranscoderService,
    databaseUrl: await createTestDatabase('transcoder'),
    bus,
    storage,
    env: { TRANSCODER_CONSUMER_GROUP: groupId, TRANSCODER_X264_PRESET: 'ultrafast', ...env },
  });
  const prefix = testPrefix();

  return {
    service,
    storage,
    recorder,
    async request(localFile, overrides = {}) {
      const request = await storedRequest(storage, prefix, localFile, overrides);
      await publishRequest(bus, request);
      return request;
    },
    async close() {
      await service.close();
      await recorder.stop();
      await recorderBus.close();
      await bus.close();
    },
  };
}
