import { Topics, type KafkaEventBus, type Topic } from '@moocflix/platform-bus';
import { EventRecorder, kafkaTestBus, type RecordedEvent } from '@moocflix/platform-testing';
import { waitFor } from '../../../e2e/stack/control';

/** What the users service publishes. */
const USERS_TOPICS: Topic[] = [Topics.UserCreation, Topics.UserUpdate, Topics.SessionRevoked];

/**
 * Reads what really reached Kafka: its own bus and a consumer group of its own, positioned at the
 * end of the topics before the test acts, and every message parsed with the kit's schema.
 */
export class KafkaEventRecorder {
  private readonly bus: KafkaEventBus = kafkaTestBus('users-test-recorder');
  private recorder: EventRecorder | undefined;

  async start(topics: Topic[] = USERS_TOPICS): Promise<void> {
    this.recorder = await EventRecorder.start(this.bus, topics, { startFrom: 'latest' });
  }

  /** Events of `topic` about `subject` (the aggregate id) received so far. */
  about<T extends Topic>(topic: T, subject: string): RecordedEvent<T>[] {
    return this.recorder?.about(topic, subject) ?? [];
  }

  /** Waits until `count` events of `topic` about `subject` arrived, and returns them. */
  async waitFor<T extends Topic>(
    topic: T,
    subject: string,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<RecordedEvent<T>[]> {
    return waitFor(
      () => {
        const events = this.about(topic, subject);
        return events.length >= count ? events : false;
      },
      { timeoutMs, intervalMs: 50, description: `${count} ${topic} event(s) about ${subject}` },
    );
  }

  async stop(): Promise<void> {
    await this.recorder?.close();
    await this.bus.close();
  }
}
