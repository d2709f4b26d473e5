import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { createPool, ensureDatabase, runMigrations, withTransaction, type Pool } from '@moocflix/platform-db';
import { backoffDelay, sleep, Wakeup } from '@moocflix/platform-core/retry';
import { periodicTask, type PeriodicTask } from '@moocflix/platform-core/process';
import type { EventBus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from './bus';

/** The bus's own tables (bus_topics, bus_messages, bus_positions), applied by PostgresEventBus.open. */
export const BUS_MIGRATIONS_DIR = join(__dirname, '../../migrations/bus');

export interface PostgresEventBusOptions {
  /** The bus's own database (the launcher uses `moocflix_bus` on the embedded server). */
  databaseUrl: string;
  logger: Logger;
  /** Create the database when it does not exist yet. */
  createDatabase?: boolean;
  /** First redelivery delay after a handler threw; doubles per failure, capped at 2 s. */
  redeliveryDelayMs?: number;
  /**
   * How often an idle consumer looks at its topic without a NOTIFY (one is lost while the LISTEN
   * connection is down), and how often a subscriber waiting for its group's turn on a topic asks
   * again when the holder is in another process. Same-process hand-overs and new messages wake
   * consumers at once.
   */
  pollIntervalMs?: number;
  /** Messages read per query. */
  batchSize?: number;
  /** Messages older than this are deleted, and so are positions not moved for as long (default 7 days, Kafka's default). */
  retentionMs?: number;
  retentionSweepIntervalMs?: number;
}

/** NOTIFY channel; the payload is the topic that got messages. */
const CHANNEL = 'moocflix_bus';
const MAX_REDELIVERY_DELAY_MS = 2_000;
const FIRST_RECONNECT_DELAY_MS = 200;
const MAX_RECONNECT_DELAY_MS = 5_000;
const RETENTION_MS = 7 * 24 * 60 * 60_000;
const RETENTION_SWEEP_INTERVAL_MS = 10 * 60_000;

interface MessageRow {
  message_offset: number;
  message_key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Creates the position of a group that has none (at the start of the topic, or at its end for
 * 'latest'), and touches it otherwise; answers the committed position either way.
 */
const CLAIM_POSITION_SQL = `
  INSERT INTO bus_positions (group_id, topic, next_offset)
  SELECT $1, $2, CASE WHEN $3 THEN coalesce((SELECT next_offset FROM bus_topics WHERE topic = $2), 0) ELSE 0 END
  ON CONFLICT (group_id, topic) DO UPDATE SET updated_at = now()
  RETURNING next_offset`;

/**
 * The durable bus of `make dev`, an append-only log per topic in PostgreSQL, with Kafka's semantics
 * that the services rely on (one partition per topic):
 * - publish() resolves once its messages are committed; offsets per topic are gap-free and become
 *   visible in order (see migrations/bus/bus_001_log.sql);
 * - each (group, topic) has a committed position, written after the handler resolved: delivery is
 *   at-least-once, and a process killed at any point resumes from the last committed position.
 *   createEventConsumer's processed-event ids turn the redelivery into effectively-once effects;
 * - within a group one subscriber at a time consumes a topic, across processes too: it holds a
 *   session advisory lock on (group, topic) on its own connection, and commits positions over that
 *   connection, so a position can only move while the lock is held. A dead process's connection
 *   closes and its locks go with it; a waiting subscriber takes over;
 * - every group sees every message; a throwing handler gets the same message again after a delay;
 * - LISTEN/NOTIFY wakes consumers when a topic gets messages, with a slow poll as the fallback.
 */
export class PostgresEventBus implements EventBus {
  readonly kind = 'postgres' as const;
  private readonly logger: Logger;
  private readonly redeliveryDelayMs: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly subscriptions = new Set<PostgresSubscription>();
  private readonly sweep: PeriodicTask;
  private listener: pg.Client | undefined;
  private listenerFailures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** Creates the database if asked, applies the bus's migrations and starts listening. */
  static async open(options: PostgresEventBusOptions): Promise<PostgresEventBus> {
    if (options.createDatabase) await ensureDatabase(options.databaseUrl);
    const pool = createPool(options.databaseUrl, { max: 4, applicationName: 'moocflix-bus' });
    try {
      await runMigrations(pool, BUS_MIGRATIONS_DIR, options.logger);
    } catch (err) {
      await pool.end();
      throw err;
    }
    const bus = new PostgresEventBus(options, pool);
    await bus.connectListener();
    bus.sweep.start();
    return bus;
  }

  private constructor(
    private readonly options: PostgresEventBusOptions,
    private readonly pool: Pool,
  ) {
    this.logger = options.logger.child({ component: 'postgres-bus' });
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
    this.batchSize = options.batchSize ?? 100;
    const retentionSecs = (options.retentionMs ?? RETENTION_MS) / 1000;
    this.sweep = periodicTask({
      name: 'bus-retention',
      logger: this.logger,
      intervalMs: options.retentionSweepIntervalMs ?? RETENTION_SWEEP_INTERVAL_MS,
      run: async () => {
        const messages = await pool.query(
          'DELETE FROM bus_messages WHERE published_at < now() - make_interval(secs => $1)',
          [retentionSecs],
        );
        const positions = await pool.query(
          'DELETE FROM bus_positions WHERE updated_at < now() - make_interval(secs => $1)',
          [retentionSecs],
        );
        if (messages.rowCount || positions.rowCount) {
          this.logger.info({ messages: messages.rowCount, positions: positions.rowCount }, 'expired bus rows deleted');
        }
      },
    });
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic) ?? [];
      list.push(m);
      byTopic.set(m.topic, list);
    }
    await withTransaction(this.pool, async (tx) => {
      // Topics in name order: two publishers that touch the same topics lock them in the same order.
      for (const topic of [...byTopic.keys()].sort()) {
        const list = byTopic.get(topic)!;
        // The topic row stays locked until COMMIT: the next publisher of this topic waits for it.
        const { rows } = await tx.query<{ first: number }>(
          `INSERT INTO bus_topics AS t (topic, next_offset) VALUES ($1, $2)
           ON CONFLICT (topic) DO UPDATE SET next_offset = t.next_offset + EXCLUDED.next_offset
           RETURNING t.next_offset - $2 AS first`,
          [topic, list.length],
        );
        await tx.query(
          `INSERT INTO bus_messages (topic, message_offset, message_key, value, headers)
           SELECT $1, $2::bigint + m.i - 1, m.k, m.v, m.h::jsonb
             FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS m(k, v, h, i)`,
          [
            topic,
            rows[0]!.first,
            list.map((m) => m.key),
            list.map((m) => m.value),
            list.map((m) => JSON.stringify(m.headers ?? {})),
          ],
        );
        // Sent on COMMIT only; identical notifications of one transaction are folded into one.
        await tx.query('SELECT pg_notify($1, $2)', [CHANNEL, topic]);
      }
    });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) throw new Error('the event bus is closed');
    const topics = [...new Set(options.topics)];
    await this.ensureTopics(topics);
    // The start of a new group is fixed now, not when its consumer first gets the lock: 'latest'
    // means after what was published before subscribe() resolved.
    for (const topic of topics) {
      await this.pool.query(CLAIM_POSITION_SQL, [options.groupId, topic, options.startFrom === 'latest']);
    }
    const subscription = new PostgresSubscription(
      {
        connectionString: this.options.databaseUrl,
        logger: this.logger,
        redeliveryDelayMs: this.redeliveryDelayMs,
        pollIntervalMs: this.pollIntervalMs,
        batchSize: this.batchSize,
        onClosed: (closed) => {
          this.subscriptions.delete(closed);
          // A subscriber of the same group waiting in this process takes over at once.
          this.wake((cursor) => cursor.groupId === closed.groupId);
        },
      },
      options,
      topics,
    );
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    await this.pool.query('INSERT INTO bus_topics (topic) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [[...topics]]);
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** Closes every subscription (waiting for in-flight handlers and their commits), then the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.sweep.stop();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  private wake(which: (cursor: TopicCursor) => boolean): void {
    for (const subscription of this.subscriptions) {
      for (const cursor of subscription.cursors) if (which(cursor)) cursor.wakeup.wake();
    }
  }

  /** A dedicated connection (LISTEN would pin a pool client). If it drops, consumers poll until it is back. */
  private async connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: 'moocflix-bus-listener' });
    client.on('notification', (n) => this.wake((cursor) => cursor.topic === n.payload));
    client.on('error', (err) => {
      this.logger.warn({ err }, 'bus LISTEN connection failed');
      this.dropListener(client);
    });
    client.on('end', () => this.dropListener(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      this.logger.warn({ err }, 'cannot LISTEN for bus messages; polling until reconnected');
      client.end().catch(() => undefined);
      this.scheduleListenerReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.listenerFailures = 0;
    // Notifications sent while nobody listened are lost: every consumer looks now.
    this.wake(() => true);
  }

  private dropListener(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.scheduleListenerReconnect();
  }

  private scheduleListenerReconnect(): void {
    if (this.closed) return;
    this.listenerFailures++;
    const delay = backoffDelay(this.listenerFailures, FIRST_RECONNECT_DELAY_MS, MAX_RECONNECT_DELAY_MS);
    this.reconnectTimer = setTimeout(() => void this.connectListener(), delay);
  }
}

interface SubscriptionSettings {
  connectionString: string;
  logger: Logger;
  redeliveryDelayMs: number;
  pollIntervalMs: number;
  batchSize: number;
  onClosed(subscription: PostgresSubscription): void;
}

/**
 * One subscribe() call: a connection of its own (its advisory locks and position commits) and one
 * delivery loop per topic. The topics of one subscription are consumed concurrently, as the
 * partitions of one Kafka consumer may be.
 */
class PostgresSubscription implements Subscription {
  readonly groupId: string;
  readonly cursors: TopicCursor[];
  readonly stopSignal = new AbortController();
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private loops: Promise<void>[] = [];
  private closing: Promise<void> | undefined;
  /** The tail of the queries sent on the connection: one at a time, as pg requires of a client. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly settings: SubscriptionSettings,
    options: SubscribeOptions,
    topics: string[],
  ) {
    this.groupId = options.groupId;
    this.cursors = topics.map((topic) => new TopicCursor(this, topic, options));
  }

  start(): void {
    this.loops = this.cursors.map((cursor) => cursor.run());
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopSignal.abort();
      // Each loop ends after its in-flight handler resolved and its position was committed.
      await Promise.all(this.loops);
      await this.connecting?.catch(() => undefined);
      const client = this.client;
      this.client = undefined;
      if (client) {
        // Released explicitly: the server may still hold the locks for a moment after end() returns.
        await this.query(client, 'SELECT pg_advisory_unlock_all()').catch(() => undefined);
        await client.end().catch(() => undefined);
      }
      this.settings.onClosed(this);
    })();
    return this.closing;
  }

  /** Runs a query on the connection after the ones already sent by the subscription's other topics. */
  query<R extends pg.QueryResultRow>(client: pg.Client, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    const result = this.queue.then(() => client.query<R>(sql, params));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The subscription's connection, connected on first use and after it was discarded. */
  async session(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.settings.connectionString,
        application_name: `bus:${this.groupId}`.slice(0, 63),
      });
      client.on('error', (err) => this.discard(client, err));
      try {
        await client.connect();
        this.client = client;
        return client;
      } catch (err) {
        client.end().catch(() => undefined);
        throw err;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  /** Drops a broken connection; its locks are gone with it, so every cursor must lock again. */
  discard(client: pg.Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (err) this.settings.logger.warn({ err, groupId: this.groupId }, 'bus subscription connection lost');
    client.end().catch(() => undefined);
  }
}

/** One (group, topic) of a subscription: waits for the group's turn, then delivers in offset order. */
class TopicCursor {
  readonly wakeup = new Wakeup();
  readonly groupId: string;
  private readonly handler: SubscribeOptions['handler'];
  private readonly latest: boolean;
  private readonly lockName: string;
  /** The connection on which this cursor holds the (group, topic) lock; undefined: not its turn. */
  private owner: pg.Client | undefined;
  private position = 0;

  constructor(
    private readonly subscription: PostgresSubscription,
    readonly topic: string,
    options: SubscribeOptions,
  ) {
    this.groupId = options.groupId;
    this.handler = options.handler;
    this.latest = options.startFrom === 'latest';
    // A unit separator cannot appear in either part by accident (a NUL would be refused by PostgreSQL).
    this.lockName = `${options.groupId}\u001f${topic}`;
  }

  async run(): Promise<void> {
    const { settings, stopSignal: { signal } } = this.subscription;
    const logger = settings.logger;
    let failures = 0;
    while (!signal.aborted) {
      let client: pg.Client | undefined;
      try {
        client = await this.subscription.session();
        if (signal.aborted) return;
        if (this.owner !== client) {
          this.owner = undefined;
          const { rows } = await this.subscription.query<{ locked: boolean }>(
            client,
            'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
            [this.lockName],
          );
          if (!rows[0]?.locked) {
            // Another subscriber of the group has this topic; wait for it to close or die.
            await this.wakeup.wait(settings.pollIntervalMs, signal);
            continue;
          }
          this.owner = client;
          const claimed = await this.subscription.query<{ next_offset: number }>(client, CLAIM_POSITION_SQL, [
            this.groupId,
            this.topic,
            this.latest,
          ]);
          this.position = claimed.rows[0]!.next_offset;
        }
        const { rows } = await this.subscription.query<MessageRow>(
          client,
          `SELECT message_offset, message_key, value, headers FROM bus_messages
            WHERE topic = $1 AND message_offset >= $2 ORDER BY message_offset LIMIT $3`,
          [this.topic, this.position, settings.batchSize],
        );
        failures = 0;
        if (rows.length === 0) {
          await this.wakeup.wait(settings.pollIntervalMs, signal);
          continue;
        }
        for (const row of rows) {
          if (signal.aborted) return;
          // Not acknowledged when closing during a redelivery delay: the next subscriber gets it.
          if (!(await this.deliver(row, signal))) return;
          await this.subscription.query(
            client,
            `INSERT INTO bus_positions (group_id, topic, next_offset) VALUES ($1, $2, $3)
             ON CONFLICT (group_id, topic) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
            [this.groupId, this.topic, row.message_offset + 1],
          );
          this.position = row.message_offset + 1;
        }
      } catch (err) {
        // The database failed (a handler's throw is handled in deliver): the position is wherever it
        // was last committed, so the message is delivered again once the connection is back.
        this.owner = undefined;
        if (client) this.subscription.discard(client);
        if (signal.aborted) return;
        failures++;
        logger.warn({ err, topic: this.topic, groupId: this.groupId }, 'event bus database unavailable; retrying');
        await sleep(backoffDelay(failures, FIRST_RECONNECT_DELAY_MS, MAX_RECONNECT_DELAY_MS), signal);
      }
    }
  }

  /** Calls the handler until it resolves (true), or until the subscription closes between two tries (false). */
  private async deliver(row: MessageRow, signal: AbortSignal): Promise<boolean> {
    const { logger, redeliveryDelayMs } = this.subscription.settings;
    const message: IncomingMessage = {
      topic: this.topic,
      key: row.message_key,
      value: row.value,
      headers: row.headers,
      partition: 0,
      offset: String(row.message_offset),
    };
    for (let failures = 1; ; failures++) {
      try {
        await Promise.resolve().then(() => this.handler({ ...message, headers: { ...message.headers } }));
        return true;
      } catch (err) {
        if (signal.aborted) return false;
        const delay = backoffDelay(failures, redeliveryDelayMs, MAX_REDELIVERY_DELAY_MS);
        logger.warn(
          { err, topic: this.topic, groupId: this.groupId, offset: message.offset, delay },
          'handler failed; redelivering',
        );
        await sleep(delay, signal);
        if (signal.aborted) return false;
      }
    }
  }
}
