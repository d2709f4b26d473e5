import { randomUUID } from 'node:crypto';
import {
  parseEvent,
  type CloudEvent,
  type EventBus,
  type EventData,
  type Subscription,
  type Topic,
} from '@moocflix/platform-bus';

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

/** A message on a recorded topic that is not a valid event of that topic. */
export interface UnreadableMessage {
  topic: Topic;
  key: string | null;
  reason: string;
}

/**
 * Keeps every event that really reached the bus on `topics`, through a consumer group of its own (so
 * it takes nothing from the service's consumers). Parsed with the kit's schemas by default, like any
 * consumer would.
 *
 * The topics are shared with every other test on the same broker, and some of those publish garbage on
 * purpose (a consumer's dead-letter tests). A recorder reading from 'earliest' meets it, so it never
 * throws in its handler — that would redeliver the same message forever and block every event behind
 * it. It keeps such messages aside instead, and `about()` fails loudly when one of them carries the
 * key of the aggregate a test asks about (events are keyed by aggregate id): a malformed event of the
 * service under test still fails its test.
 */
export class EventRecorder {
  private constructor(
    private readonly recorded: RecordedEvent[],
    private readonly unreadable: UnreadableMessage[],
    private readonly subscription: Subscription,
  ) {}

  static async start(
    bus: EventBus,
    topics: Topic[],
    options: EventRecorderOptions = {},
  ): Promise<EventRecorder> {
    const recorded: RecordedEvent[] = [];
    const unreadable: UnreadableMessage[] = [];
    const subscription = await bus.subscribe({
      groupId: `test-recorder-${randomUUID()}`,
      topics,
      startFrom: options.startFrom ?? 'latest',
      handler: async (message) => {
        const topic = message.topic as Topic;
        try {
          const event = options.asSent
            ? (JSON.parse(message.value) as CloudEvent<EventData<Topic>>)
            : parseEvent(topic, message.value);
          recorded.push({ topic, key: message.key, event });
        } catch (err) {
          unreadable.push({
            topic,
            key: message.key,
            reason: err instanceof Error ? err.message : String(err),
          });
        }
      },
    });
    return new EventRecorder(recorded, unreadable, subscription);
  }

  /**
   * Events of `topic` about `subject` (the aggregate id) received so far, in arrival order. Throws if
   * a message keyed by `subject` on `topic` could not be read.
   */
  about<T extends Topic>(topic: T, subject: string): RecordedEvent<T>[] {
    const bad = this.unreadable.find((m) => m.topic === topic && m.key === subject);
    if (bad) throw new Error(`an unreadable ${topic} message is keyed by ${subject}: ${bad.reason}`);
    return this.recorded.filter(
      (r): r is RecordedEvent<T> => r.topic === topic && r.event.subject === subject,
    );
  }

  /** Every event of `topic` received so far, in arrival order. */
  all<T extends Topic>(topic: T): RecordedEvent<T>[] {
    return this.recorded.filter((r): r is RecordedEvent<T> => r.topic === topic);
  }

  close(): Promise<void> {
    return this.subscription.close();
  }
}
