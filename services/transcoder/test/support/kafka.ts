import { deadLetterTopic, Topics, type EventData, type KafkaEventBus } from '@moocflix/platform-bus';
import { EventRecorder, publishEvent, recordMessages } from '@moocflix/platform-testing';
import { waitFor } from '../../../../e2e/stack/control';

type Completion = EventData<typeof Topics.TranscodingCompleted>;
type Progress = EventData<typeof Topics.TranscodingProgress>;
export type TranscodingRequest = EventData<typeof Topics.TranscodingRequest>;

export { kafkaTestBus as testBus, stackKafkaBrokers as kafkaBrokers } from '@moocflix/platform-testing';

/** Publishes a Transcoding-Request the way content's outbox relay does (CloudEvent, key = videoId). */
export async function publishRequest(bus: KafkaEventBus, request: TranscodingRequest): Promise<void> {
  await publishEvent(bus, Topics.TranscodingRequest, {
    source: 'transcoder-test',
    subject: request.videoId,
    data: request,
  });
}

/**
 * What the transcoder sent back through Kafka, by request id: every Transcoding-Completed and
 * Transcoding-Progress (the kit's EventRecorder), and the requests it dead-lettered.
 */
export class TranscodingEventsRecorder {
  private events: EventRecorder | undefined;
  private dead: Awaited<ReturnType<typeof recordMessages>> | undefined;

  constructor(private readonly bus: KafkaEventBus) {}

  async start(): Promise<void> {
    this.events = await EventRecorder.start(this.bus, [
      Topics.TranscodingCompleted,
      Topics.TranscodingProgress,
    ]);
    this.dead = await recordMessages(this.bus, [deadLetterTopic(Topics.TranscodingRequest)]);
  }

  get completions(): { key: string | null; data: Completion }[] {
    return this.recorded()
      .all(Topics.TranscodingCompleted)
      .map(({ key, event }) => ({ key, data: event.data }));
  }

  get deadLetters(): { key: string | null; headers: Record<string, string> }[] {
    return (this.dead?.messages ?? []).map(({ key, headers }) => ({ key, headers }));
  }

  completionsOf(requestId: string): Completion[] {
    return this.completions.filter((c) => c.data.requestId === requestId).map((c) => c.data);
  }

  progressOf(requestId: string): number[] {
    return this.progressEventsOf(requestId).map((p) => p.progress);
  }

  /** The whole progress ticks of a request (with the preview once it is playable). */
  progressEventsOf(requestId: string): Progress[] {
    return this.recorded()
      .all(Topics.TranscodingProgress)
      .map(({ event }): Progress => event.data)
      .filter((p) => p.requestId === requestId);
  }

  async completion(requestId: string, timeoutMs = 60_000): Promise<Completion> {
    return waitFor(() => this.completionsOf(requestId)[0] ?? false, {
      timeoutMs,
      intervalMs: 100,
      description: `Transcoding-Completed of request ${requestId}`,
    });
  }

  async stop(): Promise<void> {
    await Promise.all([this.events?.close(), this.dead?.close()]);
  }

  private recorded(): EventRecorder {
    if (!this.events) throw new Error('TranscodingEventsRecorder.start() was not called');
    return this.events;
  }
}
