/**
 * The event bus seam: Kafka (kafkajs) in a cluster, a durable log in PostgreSQL for `make dev`
 * (postgres-bus.ts), in memory for unit tests. Every adapter passes the same contract suite
 * (bus-contract.ts).
 */
export interface OutgoingMessage {
  topic: string;
  /** Aggregate id: one entity's events share a key, so they stay in order (same partition). */
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

export interface SubscribeOptions {
  /** Consumers sharing a group id share the work; each group sees every message. */
  groupId: string;
  topics: string[];
  /**
   * Called once per message, in order within a partition/key. Resolving acknowledges the message
   * (its offset may be committed); throwing makes the bus deliver it again (at-least-once).
   * Retry limits and dead-lettering live in the consumer helper, not here.
   */
  handler: (message: IncomingMessage) => Promise<void>;
  /** Where a group with no committed position starts; default 'earliest' (no event missed). */
  startFrom?: 'earliest' | 'latest';
}

export interface Subscription {
  /** Stops consuming; resolves after the in-flight handler call finished and positions are committed. */
  close(): Promise<void>;
}

export interface EventBus {
  readonly kind: 'kafka' | 'postgres' | 'in-process';
  /** Resolves once every message is durably accepted (Kafka: acks=all), in the given order. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Creates missing topics (idempotent). */
  ensureTopics(topics: readonly string[]): Promise<void>;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
