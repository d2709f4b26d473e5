// A bus subscription joined in the background and retried with backoff while Kafka is unreachable,
// so a new leader starts its controllers at once and takes in messages as soon as Kafka answers.
import type { EventBus, SubscribeOptions, Subscription } from '@moocflix/platform-bus';
import type { Logger } from '@moocflix/platform-core/log';
import { backoffDelay, sleep } from '@moocflix/platform-core/retry';

export class BackgroundSubscription {
  private readonly stopping = new AbortController();
  private subscription: Subscription | undefined;
  private subscribing: Promise<void> | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly options: SubscribeOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscribing ??= this.subscribe();
  }

  /** Leaves the group after the message in flight was handled (its offset committed). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.subscribing;
    await this.subscription?.close();
  }

  private async subscribe(): Promise<void> {
    const { groupId, topics } = this.options;
    for (let attempt = 1; !this.stopping.signal.aborted; attempt++) {
      try {
        const subscription = await this.bus.subscribe(this.options);
        if (this.stopping.signal.aborted) await subscription.close();
        else this.subscription = subscription;
        this.logger.info({ groupId, topics }, 'consuming');
        return;
      } catch (err) {
        const delay = backoffDelay(attempt, 1_000, 30_000);
        this.logger.warn({ err, groupId, delay }, 'could not join the consumer group; retrying');
        await sleep(delay, this.stopping.signal);
      }
    }
  }
}
