import { randomUUID } from 'node:crypto';
import {
  createEvent,
  KafkaEventBus,
  parseEvent,
  Topics,
  type EventData,
  type Subscription,
} from '@moocflix/platform/events';
import { createLogger } from '@moocflix/platform/log';
import { waitFor } from '../../../../e2e/stack/control';

type Completion = EventData<typeof Topics.TranscodingCompleted>;
type Progress = EventData<typeof Topics.TranscodingProgress>;
export type TranscodingRequest = EventData<typeof Topics.TranscodingRequest>;

export const kafkaBrokers = (): string[] => (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

export function testBus(name: string): KafkaEventBus {
  return new KafkaEventBus({
    brokers: kafkaBrokers(),
    clientId: `${name}-${randomUUID()}`,
    logger: createLogger(name, 'silent'),
  });
}

/** Publishes a Transcoding-Request the way content's outbox relay does (CloudEvent, key = videoId). */
export async function publishRequest(bus: KafkaEventBus, request: TranscodingRequest): Promise<void> {
  const event = createEvent(Topics.TranscodingRequest, {
    source: 'transcoder-test',
    subject: request.videoId,
    data: request,
  });
  await bus.publish([
    { topic: Topics.TranscodingRequest, key: request.videoId, value: JSON.stringify(event) },
  ]);
}

/** Records every Transcoding-Completed and Transcoding-Progress that really reached Kafka, with its key. */
export class TranscodingEventsRecorder {
  readonly completions: { key: string | null; data: Completion }[] = [];
  readonly progress: { key: string | null; data: Progress }[] = [];
  readonly deadLetters: { key: string | null; headers: Record<string, string> }[] = [];
  private subscription: Subscription | undefined;

  constructor(private readonly bus: KafkaEventBus) {}

  async start(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: `transcoder-test-recorder-${randomUUID()}`,
      topics: [Topics.TranscodingCompleted, Topics.TranscodingProgress, `${Topics.TranscodingRequest}.DLQ`],
      startFrom: 'latest',
      handler: async (m) => {
        if (m.topic === Topics.TranscodingCompleted) {
          this.completions.push({ key: m.key, data: parseEvent(Topics.TranscodingCompleted, m.value).data });
        } else if (m.topic === Topics.TranscodingProgress) {
          this.progress.push({ key: m.key, data: parseEvent(Topics.TranscodingProgress, m.value).data });
        } else {
          this.deadLetters.push({ key: m.key, headers: m.headers });
        }
      },
    });
  }

  completionsOf(requestId: string): Completion[] {
    return this.completions.filter((c) => c.data.requestId === requestId).map((c) => c.data);
  }

  progressOf(requestId: string): number[] {
    return this.progress.filter((p) => p.data.requestId === requestId).map((p) => p.data.progress);
  }

  async completion(requestId: string, timeoutMs = 60_000): Promise<Completion> {
    return waitFor(() => this.completionsOf(requestId)[0] ?? false, {
      timeoutMs,
      intervalMs: 100,
      description: `Transcoding-Completed of request ${requestId}`,
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
  }
}
