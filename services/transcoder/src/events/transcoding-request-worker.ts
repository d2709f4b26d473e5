import {
  deadLetterMessage,
  InvalidEventError,
  parseEvent,
  Topics,
  type EventBus,
  type IncomingMessage,
  type Subscription,
} from '@moocflix/platform-bus';
import type { Logger } from '@moocflix/platform-core/log';
import type { TranscodingRequest } from '../domain/transcode-video';

export interface TranscodingRequestWorkerOptions {
  bus: EventBus;
  groupId: string;
  /** Requests handled at once: one group member (subscription) each. */
  concurrency: number;
  logger: Logger;
  handle(request: TranscodingRequest, signal: AbortSignal): Promise<unknown>;
}

/**
 * Worker mode: consumes Transcoding-Request and acknowledges a request only after `handle` resolved,
 * i.e. after its completion was published — so a worker killed mid-transcode leaves the request to
 * the group's next member. A request `handle` cannot complete (storage down, completion not
 * published) throws and is delivered again. Stopping aborts the transcodes in flight WITHOUT
 * acknowledging them: another worker redoes them.
 *
 * Not `createEventConsumer`: that helper records processed event ids in the service's database,
 * and the transcoder has none; a redelivered request is simply transcoded again (the outputs are
 * overwritten in place and downstream is idempotent per (videoId, attemptId)).
 */
export class TranscodingRequestWorker {
  private subscriptions: Subscription[] = [];
  private readonly shutdown = new AbortController();

  constructor(private readonly options: TranscodingRequestWorkerOptions) {}

  get running(): boolean {
    return this.subscriptions.length > 0;
  }

  async start(): Promise<void> {
    const { bus, groupId, concurrency } = this.options;
    for (let i = 0; i < concurrency; i++) {
      this.subscriptions.push(
        await bus.subscribe({
          groupId,
          topics: [Topics.TranscodingRequest],
          handler: (m) => this.onMessage(m),
        }),
      );
    }
  }

  async stop(): Promise<void> {
    // Close first (the bus then stops redelivering), abort second (the handlers in flight throw,
    // leaving their requests unacknowledged), and wait for both.
    const closing = Promise.all(this.subscriptions.map((s) => s.close()));
    this.shutdown.abort(new Error('transcoder worker stopping'));
    await closing;
    this.subscriptions = [];
  }

  private async onMessage(message: IncomingMessage): Promise<void> {
    let request: TranscodingRequest;
    try {
      request = parseEvent(Topics.TranscodingRequest, message.value).data;
    } catch (err) {
      if (!(err instanceof InvalidEventError)) throw err;
      // Without a valid request there is no videoId/requestId to fail: park it, never loop on it.
      await this.deadLetter(message, err);
      return;
    }
    const logger = this.options.logger.child({ videoId: request.videoId, requestId: request.requestId });
    logger.info('transcoding request received');
    await this.options.handle(request, this.shutdown.signal);
  }

  private async deadLetter(message: IncomingMessage, err: InvalidEventError): Promise<void> {
    this.options.logger.error(
      { err, offset: message.offset, partition: message.partition },
      'malformed Transcoding-Request dead-lettered',
    );
    await this.options.bus.publish([
      deadLetterMessage(message, {
        reason: 'malformed',
        error: err,
        consumerGroup: this.options.groupId,
        attempts: 1,
      }),
    ]);
  }
}
