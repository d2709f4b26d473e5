import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { createTestDatabase } from '../../../../e2e/stack/control';
import { Topics } from '@moocflix/platform-bus';
import type { ObjectStorage } from '@moocflix/platform-storage';
import {
  kafkaTestBus,
  positionGroupAtEnd,
  startTestService,
  type TestService,
} from '@moocflix/platform-testing';
import { createTranscoderService } from '@moocflix/transcoder/service';

const TRANSCODER_MAIN = join(__dirname, '../../../transcoder/src/main.ts');

/**
 * The REAL transcoder (the other half of issue 5) in worker mode, in this test process: consumes
 * Transcoding-Request from Kafka, runs ffmpeg, writes to `storage`, publishes progress and
 * completions. Its own consumer group starts at the topic's current end, so it handles only the
 * requests this test file makes, not those other test files left on the topic — unless it joins
 * the group `groupId` given (positioned by the caller).
 */
export async function startTranscoderWorker(
  storage: ObjectStorage,
  groupId?: string,
  env: Record<string, string> = {},
): Promise<{ close(): Promise<void> }> {
  if (groupId === undefined) {
    groupId = `content-test-transcoder-${randomUUID()}`;
    await positionGroupAtEnd(process.env.KAFKA_BROKERS!.split(','), groupId, Topics.TranscodingRequest);
  }
  const bus = kafkaTestBus('content-test-transcoder');
  const service: TestService = await startTestService({
    name: 'transcoder',
    create: createTranscoderService,
    databaseUrl: await createTestDatabase('content_transcoder'),
    bus,
    storage,
    env: { TRANSCODER_CONSUMER_GROUP: groupId, TRANSCODER_X264_PRESET: 'ultrafast', ...env },
  });
  return {
    async close() {
      await service.close();
      await bus.close();
    },
  };
}

export interface TranscoderProcess {
  child: ChildProcess;
  exited: Promise<void>;
}

/**
 * The transcoder worker as its own process (`services/transcoder/src/main.ts`, what a container
 * runs), on the stack's Kafka and this test file's bucket: a process a test can SIGKILL.
 */
export function startTranscoderProcess(
  bucket: string,
  groupId: string,
  env: Record<string, string> = {},
): TranscoderProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', TRANSCODER_MAIN], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      S3_BUCKET: bucket,
      TRANSCODER_CONSUMER_GROUP: groupId,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { child, exited: once(child, 'exit').then(() => undefined) };
}
