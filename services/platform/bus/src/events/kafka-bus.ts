import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachMessagePayload,
  type IHeaders,
  type LogEntry,
  type Message,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '@moocflix/platform-core/retry';
import type { EventBus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from './bus';

export interface KafkaEventBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Partitions of the topics ensureTopics creates. */
  partitions?: number;
  /** Replication factor of the topics ensureTopics creates; -1 = the broker's default.replication.factor. */
  replicationFactor?: number;
  /** First redelivery delay after a handler threw; doubles per failure, capped at 5 s. */
  redeliveryDelayMs?: number;
  /** Consumer group session timeout (default 30 s); a member silent this long is evicted. */
  sessionTimeoutMs?: number;
  /** How much of kafkajs's own logging reaches pino ('warn' by default: its info is per connection). */
  kafkaLogLevel?: 'error' | 'warn' | 'info' | 'debug';
}

// kafkajs retries every request on its own; these bound one call to roughly 15 s of retrying, so a
// caller (the outbox relay holds a transaction around publish) gets an answer and backs off itself.
const CLIENT_RETRY: RetryOptions = { initialRetryTime: 300, maxRetryTime: 5_000, retries: 5 };
// ping() is one attempt whose every step kafkajs itself bounds (connect, then at most two requests:
// about 3 s at worst, milliseconds normally), so the call settles by itself: no timer races it and
// leaves it running behind, to pile up while the broker is down or to reconnect after close().
const PING_CLIENT = { retry: { retries: 0 }, connectionTimeout: 1_000, requestTimeout: 1_000 } as const;
const CONSUMER_READY_TIMEOUT_MS = 60_000;
const MAX_REDELIVERY_DELAY_MS = 5_000;
// Errors after which the idempotent producer's id/sequence state is unusable; a new producer fixes it.
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);

/**
 * The Kafka adapter (kafkajs). Publishing uses an idempotent producer with acks=all and one request
 * in flight, so a resent batch is not duplicated and order within a partition holds. Each
 * subscription is its own kafkajs consumer; a message's offset is committed only after its handler
 * resolved, and a throwing handler gets the message again (with backoff) without the consumer
 * leaving the group. Clients connect lazily and reconnect by themselves after a broker outage.
 */
export class KafkaEventBus implements EventBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private readonly partitions: number;
  private readonly replicationFactor: number;
  private readonly redeliveryDelayMs: number;
  private readonly sessionTimeoutMs: number;
  /** Topics known to exist with every partition served (checked once per bus). */
  private readonly readyTopics = new Set<string>();
  private readonly producer: LazyClient<Producer>;
  private readonly admin: LazyClient<Admin>;
  /** ping()'s own admin, on a client of its own (PING_CLIENT), and the ping in flight, which callers share. */
  private readonly pingAdmin: LazyClient<Admin>;
  private pinging: Promise<boolean> | undefined;
  private readonly subscriptions = new Set<KafkaSubscription>();

  constructor(options: KafkaEventBusOptions) {
    this.logger = options.logger.child({ component: 'kafka-bus' });
    this.partitions = options.partitions ?? 3;
    this.replicationFactor = options.replicationFactor ?? -1;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 200;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3_000,
      retry: CLIENT_RETRY,
      logLevel: KAFKA_LOG_LEVELS[options.kafkaLogLevel ?? 'warn'],
      logCreator: () => (entry) => logKafkaEntry(this.logger, entry),
    });
    this.producer = new LazyClient(() =>
      this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // Java-compatible murmur2 partitioning: the same key lands on the same partition as with other clients.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: CLIENT_RETRY,
      }),
    );
    this.admin = new LazyClient(() => this.kafka.admin({ retry: CLIENT_RETRY }));
    const pingKafka = new Kafka({
      clientId: `${options.clientId}-ping`,
      brokers: options.brokers,
      ...PING_CLIENT,
      // A failing ping is the answer, not news: readiness reports it.
      logLevel: KafkaLogLevel.NOTHING,
    });
    this.pingAdmin = new LazyClient(() => pingKafka.admin());
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key, value: m.value, headers: m.headers });
      byTopic.set(m.topic, list);
    }
    const producer = await this.producer.get();
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
      });
    } catch (err) {
      if (errorChain(err).some((e) => PRODUCER_STATE_ERRORS.has((e as { type?: string }).type ?? ''))) {
        this.logger.warn({ err }, 'idempotent producer state lost; starting a new producer');
        void this.producer.drop();
      }
      throw err;
    }
  }

  /** Creates missing topics first: kafkajs cannot join a group on a topic that does not exist. */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    await this.ensureTopics(options.topics);
    const subscription = new KafkaSubscription(
      this.kafka,
      options,
      this.logger,
      this.redeliveryDelayMs,
      this.sessionTimeoutMs,
      () => this.subscriptions.delete(subscription),
    );
    await subscription.start();
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    const wanted = [...new Set(topics)].filter((t) => !this.readyTopics.has(t));
    if (wanted.length === 0) return;
    const admin = await this.admin.get();
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      // Creating a topic that another process created meanwhile is fine: kafkajs ignores TOPIC_ALREADY_EXISTS.
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.partitions,
          replicationFactor: this.replicationFactor,
        })),
      });
      this.logger.info({ topics: missing }, 'topics created');
    }
    // A topic just created (here, or by another process a moment ago) is listed before every
    // partition leader serves it; KRaft brokers answer "does not host this topic-partition" for a
    // moment. Wait until each partition answers, so the first produce or group join does not fail.
    for (const topic of wanted) {
      await retryWhileRetriable(() => admin.fetchTopicOffsets(topic), TOPIC_READY_TIMEOUT_MS);
      this.readyTopics.add(topic);
    }
  }

  /** One metadata request, bounded; concurrent callers (readiness, the revocation refresh) share it. */
  ping(): Promise<boolean> {
    this.pinging ??= this.pingOnce().finally(() => (this.pinging = undefined));
    return this.pinging;
  }

  private async pingOnce(): Promise<boolean> {
    try {
      await (await this.pingAdmin.get()).describeCluster();
      return true;
    } catch {
      // A connection that failed may be half-open: the next ping starts from a fresh one.
      await this.pingAdmin.drop();
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.pinging;
    await Promise.all([this.producer.drop(), this.admin.drop(), this.pingAdmin.drop()]);
  }
}

/**
 * A kafkajs client (producer, admin) connected on first use and then shared. A failed connect is
 * forgotten, so the next use connects afresh (the broker may be back); drop() disconnects it, and
 * the next use connects a new one.
 */
class LazyClient<C extends { connect(): Promise<void>; disconnect(): Promise<void> }> {
  private client: Promise<C> | undefined;

  constructor(private readonly create: () => C) {}

  get(): Promise<C> {
    if (!this.client) {
      const client = this.create();
      const connecting = client.connect().then(() => client);
      this.client = connecting;
      connecting.catch(() => {
        if (this.client === connecting) this.client = undefined;
      });
    }
    return this.client;
  }

  async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.then((c) => c.disconnect()).catch(() => undefined);
  }
}

/**
 * One consumer group member. kafkajs restarts a consumer that crashed on a retriable error (broker
 * outage) by itself; after a non-retriable crash this replaces the consumer, so a subscription only
 * ends when it is closed.
 */
class KafkaSubscription implements Subscription {
  private consumer: Consumer | undefined;
  private readonly closing = new AbortController();
  private readonly logger: Logger;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: SubscribeOptions,
    logger: Logger,
    private readonly redeliveryDelayMs: number,
    private readonly sessionTimeoutMs: number,
    private readonly onClosed: () => void,
  ) {
    this.logger = logger.child({ groupId: options.groupId });
  }

  /** Resolves once the group is joined and the first fetch positioned it (so 'latest' means "from now"). */
  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      // After a retriable crash kafkajs restarts the consumer by itself, on a timer it arms after
      // disconnecting it: a close() meanwhile would find nothing to stop, and the restarted consumer
      // would outlive the subscription. Once closing, it is not restarted.
      retry: { ...CLIENT_RETRY, restartOnFailure: async () => !this.closing.signal.aborted },
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(this.sessionTimeoutMs / 3)),
      // The broker answers a fetch as soon as data arrives; this only bounds an idle fetch.
      maxWaitTimeInMs: 1_000,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.closing.signal.aborted) {
        // Closed after kafkajs asked restartOnFailure: its restart timer is armed right after this
        // event, and stopping the consumer clears it.
        if (payload.restart) setImmediate(() => void consumer.disconnect().catch(() => undefined));
        return;
      }
      if (!payload.restart) void this.replace(consumer, payload.error);
    });
    const ready = waitUntilConsuming(consumer);
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: this.options.topics,
        fromBeginning: this.options.startFrom !== 'latest',
      });
      await consumer.run({
        // Also commit every second during long batches, so a crash redelivers little.
        autoCommitInterval: 1_000,
        eachMessage: (payload) => this.deliver(payload),
      });
      await ready;
    } catch (err) {
      ready.catch(() => undefined);
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
    this.consumer = consumer;
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    // kafkajs waits for the in-flight eachMessage, commits resolved offsets and leaves the group.
    await this.consumer?.disconnect();
    this.onClosed();
  }

  private async replace(crashed: Consumer, error: Error): Promise<void> {
    this.logger.error({ err: error }, 'Kafka consumer crashed; replacing it');
    await crashed.disconnect().catch(() => undefined);
    for (let attempt = 1; !this.closing.signal.aborted; attempt++) {
      await sleep(backoffDelay(attempt, 1_000, MAX_REDELIVERY_DELAY_MS), this.closing.signal);
      if (this.closing.signal.aborted) return;
      try {
        await this.start();
        // Closed while starting: the new consumer must not outlive the subscription.
        if (this.closing.signal.aborted) await this.consumer?.disconnect();
        return;
      } catch (err) {
        this.logger.warn({ err, attempt }, 'Kafka consumer could not be restarted; retrying');
      }
    }
  }

  private async runWithHeartbeats(incoming: IncomingMessage, heartbeat: () => Promise<void>): Promise<void> {
    const timer = setInterval(() => {
      heartbeat().catch((err: Error) =>
        this.logger.debug(
          { err, topic: incoming.topic, offset: incoming.offset },
          'heartbeat during a long handler failed',
        ),
      );
    }, HANDLER_HEARTBEAT_MS);
    try {
      await this.options.handler(incoming);
    } finally {
      clearInterval(timer);
    }
  }

  /** Resolving lets kafkajs resolve (and later commit) the offset; the handler is retried until it succeeds. */
  private async deliver({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const incoming: IncomingMessage = {
      topic,
      key: message.key?.toString() ?? null,
      value: message.value?.toString() ?? '',
      headers: decodeHeaders(message.headers),
      partition,
      offset: message.offset,
    };
    for (let failures = 1; ; failures++) {
      try {
        await this.runWithHeartbeats(incoming, heartbeat);
        return;
      } catch (err) {
        // Unacknowledged: whoever consumes the partition next gets the message again.
        if (this.closing.signal.aborted) throw err;
        const delay = backoffDelay(failures, this.redeliveryDelayMs, MAX_REDELIVERY_DELAY_MS);
        this.logger.warn(
          { err, topic, partition, offset: message.offset, delay },
          'handler failed; redelivering',
        );
        await sleep(delay, this.closing.signal);
        if (this.closing.signal.aborted) throw err;
        // Keeps the membership alive while retrying in place (rather than throwing to kafkajs,
        // which would re-fetch and eventually restart the whole consumer). During a rebalance this
        // throws, kafkajs re-joins, and the unacknowledged message goes to the partition's new owner.
        await heartbeat();
      }
    }
  }
}

const TOPIC_READY_TIMEOUT_MS = 30_000;

async function retryWhileRetriable<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable !== false;
      if (!retriable || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1_000)));
    }
  }
}

/**
 * kafkajs only heartbeats between messages, so a handler running longer than the session timeout
 * (30 s; a transcode takes minutes) would get this member evicted and its message handed to
 * another member while still being worked on. Heartbeat while the handler runs; kafkajs throttles
 * the calls to its heartbeat interval. A failed heartbeat (rebalance under way) is not fatal here:
 * the handler finishes, and if the partition moved, its new owner redelivers the message.
 */
const HANDLER_HEARTBEAT_MS = 3_000;

/** Resolves after the consumer joined its group and fetched once (or got no partitions to fetch). */
function waitUntilConsuming(consumer: Consumer): Promise<void> {
  return new Promise((resolve, reject) => {
    let joined = false;
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      for (const remove of listeners) remove();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`Kafka consumer did not join its group within ${CONSUMER_READY_TIMEOUT_MS} ms`)),
      CONSUMER_READY_TIMEOUT_MS,
    );
    const listeners = [
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        joined = true;
        if (Object.values(payload.memberAssignment).every((partitions) => partitions.length === 0)) finish();
      }),
      consumer.on(consumer.events.FETCH, () => {
        if (joined) finish();
      }),
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) finish(payload.error);
      }),
    ];
  });
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) decoded[name] = first.toString();
  }
  return decoded;
}

function errorChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e && chain.length < 10; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

const KAFKA_LOG_LEVELS = {
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
} as const;

// kafkajs warns when an idempotent producer's retries are bounded. They are on purpose (see
// CLIENT_RETRY), and the outbox relay resends a failed batch unchanged, so the broker still drops
// duplicates by sequence number: not worth a warning at every start.
const EXPECTED_KAFKAJS_WARNINGS = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

function logKafkaEntry(logger: Logger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
  const method =
    level === KafkaLogLevel.ERROR
      ? 'error'
      : level === KafkaLogLevel.WARN && !EXPECTED_KAFKAJS_WARNINGS.has(message)
        ? 'warn'
        : level === KafkaLogLevel.INFO
          ? 'info'
          : 'debug';
  logger[method]({ kafkajs: namespace, ...fields }, message);
}
