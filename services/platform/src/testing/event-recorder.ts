import { randomUUID } from 'node:crypto';
import {
  parseEvent,
  type CloudEvent,
  type EventBus,
  type EventData,
  type Subscription,
  type Topic,
} from '../events';

export interface RecordedEvent<T extends Topic = Topic> {
  topic: T;
  key: string | null;
  event: CloudEvent<EventData<T>>;
}

export interface EventRecorderOptions {
  /** 'earliest' also keeps what the service published before the recorder joined. Default 'latest'. */
  startFrom?: 'earliest' | 'latest';
  /**
   * Keep each event's JSON as it was sent instead of parsing it with the topic's schema: a producer's
   * own tests assert its exact payload, which the schema would strip of unknown fields.
   */
  asSent?: boolean;
}

/**
 * Keeps every event that really reached the bus on `topics`, through a consumer group of its own (so
 * it takes nothing from the service's consumers). Parsed with the kit's schemas by default, like any
 * consumer would: a malformed event fails the run loudly.
 */
export class EventRecorder {
  private constructor(
    private readonly recorded: RecordedEvent[],
    private readonly subscription: Subscription,
  ) {}

  static async start(
    bus: EventBus,
    topics: Topic[],
    options: EventRecorderOptions = {},
  ): Promise<EventRecorder> {
    const recorded: RecordedEvent[] = [];
    const subscription = await bus.subscribe({
      groupId: `test-recorder-${randomUUID()}`,
      topics,
      startFrom: options.startFrom ?? 'latest',
      handler: async (message) => {
        const topic = message.topic as Topic;
        const event = options.asSent
          ? (JSON.parse(message.value) as CloudEvent<EventData<Topic>>)
          : parseEvent(topic, message.value);
        recorded.push({ topic, key: message.key, event });
      },
    });
    return new EventRecorder(recorded, subscription);
  }

  /** Events of `topic` about `subject` (the aggregate id) received so far, in arrival order. */
  about<T extends Topic>(topic: T, subject: string): RecordedEvent<T>[] {
    return this.recorded.filter(
      (r): r is RecordedEvent<T> => r.topic === topic && r.event.subject === subject,
    );
  }

  close(): Promise<void> {
    return this.subscription.close();
  }
}
