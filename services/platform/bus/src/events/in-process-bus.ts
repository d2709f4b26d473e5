import type { Logger } from 'pino';
import { backoffDelay } from '@moocflix/platform-core/retry';
import type { EventBus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from './bus';

export interface InProcessEventBusOptions {
  logger: Logger;
  /** First redelivery delay after a handler threw; doubles per failure, capped at 2 s. */
  redeliveryDelayMs?: number;
}

interface StoredMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

const MAX_REDELIVERY_DELAY_MS = 2_000;

/**
 * An event bus in memory, for unit tests of code that publishes or subscribes (no broker, no
 * database). It keeps the semantics the services rely on, with one partition per topic:
 * - each topic is an append-only log; each (group, topic) has a committed position;
 * - every group sees every message; within a group one subscriber at a time consumes a topic,
 *   strictly in order (so per-key order holds), the next subscriber takes over when it closes;
 * - a throwing handler gets the same message again after a short delay;
 * - positions survive a subscriber's close, not the process: nothing is durable. `make dev` runs on
 *   the durable PostgresEventBus instead.
 */
export class InProcessEventBus implements EventBus {
  readonly kind = 'in-process' as const;
  private readonly logger: Logger;
  private readonly redeliveryDelayMs: number;
  private readonly logs = new Map<string, StoredMessage[]>();
  private readonly cursors = new Map<string, GroupCursor>();

  constructor(options: InProcessEventBusOptions) {
    this.logger = options.logger.child({ component: 'in-process-bus' });
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    const touched = new Set<string>();
    for (const m of messages) {
      this.log(m.topic).push({ key: m.key, value: m.value, headers: { ...m.headers } });
      touched.add(m.topic);
    }
    for (const cursor of this.cursors.values()) if (touched.has(cursor.topic)) cursor.wake();
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const subscriber: Subscriber = { handler: options.handler };
    const joined = options.topics.map((topic) => {
      const id = `${options.groupId}\u0000${topic}`;
      let cursor = this.cursors.get(id);
      if (!cursor) {
        // A group without a committed position starts at the beginning, or after what is there now.
        const start = options.startFrom === 'latest' ? this.log(topic).length : 0;
        cursor = new GroupCursor(topic, options.groupId, start, this.log(topic), this.logger, this.redeliveryDelayMs);
        this.cursors.set(id, cursor);
      }
      cursor.join(subscriber);
      return cursor;
    });
    return {
      close: async () => {
        await Promise.all(joined.map((cursor) => cursor.leave(subscriber)));
      },
    };
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    for (const topic of topics) this.log(topic);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  /** Detaches every subscriber, waiting for in-flight handler calls. Holding no connections, the bus stays usable. */
  async close(): Promise<void> {
    await Promise.all([...this.cursors.values()].map((cursor) => cursor.leaveAll()));
  }

  private log(topic: string): StoredMessage[] {
    let log = this.logs.get(topic);
    if (!log) {
      log = [];
      this.logs.set(topic, log);
    }
    return log;
  }
}

interface Subscriber {
  handler: SubscribeOptions['handler'];
}

/** One group's position on one topic, and the loop that delivers from it to the group's first subscriber. */
class GroupCursor {
  private readonly subscribers: Subscriber[] = [];
  private draining = false;
  /** The handler call in progress and whom it was for; close() waits for it. */
  private inFlight: { subscriber: Subscriber; done: Promise<unknown> } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    readonly topic: string,
    private readonly groupId: string,
    private position: number,
    private readonly log: StoredMessage[],
    private readonly logger: Logger,
    private readonly redeliveryDelayMs: number,
  ) {}

  join(subscriber: Subscriber): void {
    this.subscribers.push(subscriber);
    this.wake();
  }

  async leave(subscriber: Subscriber): Promise<void> {
    const index = this.subscribers.indexOf(subscriber);
    if (index >= 0) this.subscribers.splice(index, 1);
    if (this.inFlight?.subscriber === subscriber) await this.inFlight.done;
    // A redelivery that was waiting for the closed subscriber goes to the next one at once.
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.wake();
  }

  async leaveAll(): Promise<void> {
    await Promise.all([...this.subscribers].map((s) => this.leave(s)));
  }

  /** Starts delivering if there is something to deliver and nobody is delivering yet. */
  wake(): void {
    if (this.draining || this.retryTimer) return;
    this.draining = true;
    // Asynchronously, as with Kafka: publish() returns before any handler runs.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const subscriber = this.subscribers[0];
        const stored = this.log[this.position];
        if (!subscriber || !stored) return;
        const message: IncomingMessage = {
          topic: this.topic,
          key: stored.key,
          value: stored.value,
          headers: { ...stored.headers },
          partition: 0,
          offset: String(this.position),
        };
        const done = Promise.resolve().then(() => subscriber.handler(message));
        this.inFlight = { subscriber, done: done.catch(() => undefined) };
        try {
          await done;
        } catch (err) {
          this.failures++;
          const delay = backoffDelay(this.failures, this.redeliveryDelayMs, MAX_REDELIVERY_DELAY_MS);
          this.logger.warn({ err, topic: this.topic, groupId: this.groupId, offset: message.offset, delay }, 'handler failed; redelivering');
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.wake();
          }, delay);
          return;
        } finally {
          this.inFlight = undefined;
        }
        this.failures = 0;
        this.position++;
      }
    } finally {
      this.draining = false;
    }
  }
}
