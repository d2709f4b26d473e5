import { randomUUID } from 'node:crypto';
import { createLogger } from '@moocflix/platform/log';
import {
  KafkaEventBus,
  parseEvent,
  type CloudEvent,
  type EventData,
  type Subscription,
  type Topic,
} from '@moocflix/platform/events';
import { waitFor } from '../../../e2e/stack/control';
import { kafkaBrokers } from './users-test-service';

export interface RecordedEvent<T extends Topic> {
  key: string | null;
  event: CloudEvent<EventData<T>>;
}

/**
 * Reads what really reached Kafka: its own bus and a consumer group of its own, positioned at the
 * end of the topics before the test acts, and every message parsed with the kit's schema.
 */
export class KafkaEventRecorder {
  private readonly received = new Map<string, RecordedEvent<Topic>[]>();
  private subscription: Subscription | undefined;
  private readonly bus = new KafkaEventBus({
    brokers: kafkaBrokers(),
    clientId: `users-test-recorder-${randomUUID()}`,
    logger: createLogger('users-test-recorder', 'silent'),
  });

  async start(topics: Topic[]): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: `users-test-recorder-${randomUUID()}`,
      topics,
      startFrom: 'latest',
      handler: async (message) => {
        const topic = message.topic as Topic;
        const list = this.received.get(topic) ?? [];
        list.push({ key: message.key, event: parseEvent(topic, message.value) });
        this.received.set(topic, list);
      },
    });
  }

  /** Events of `topic` about `subject` (the aggregate id) received so far. */
  about<T extends Topic>(topic: T, subject: string): RecordedEvent<T>[] {
    return ((this.received.get(topic) ?? []) as RecordedEvent<T>[]).filter(
      (r) => r.event.subject === subject,
    );
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
    await this.subscription?.close();
    await this.bus.close();
  }
}
