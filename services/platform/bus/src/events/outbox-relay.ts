import pg from 'pg';
import type { Logger } from 'pino';
import type { Pool } from '@moocflix/platform-db';
import { backoffDelay, sleep, Wakeup } from '@moocflix/platform-core/retry';
import type { Registry } from 'prom-client';
import type { EventBus, OutgoingMessage } from './bus';
import { OUTBOX_CHANNEL } from './outbox';
import { reportOutboxBacklog } from './outbox-metrics';

export interface OutboxRelayOptions {
  pool: Pool;
  bus: EventBus;
  logger: Logger;
  /** Rows published per bus call (and per transaction). */
  batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (a NOTIFY is lost while the LISTEN connection is down). */
  pollIntervalMs?: number;
  /** Cap of the exponential backoff after a failed publish. */
  maxBackoffMs?: number;
  /** Published rows older than this are deleted (they are only kept to investigate incidents). */
  retentionMs?: number;
  /**
   * Least time between the starts of two batches while events keep coming (default 50 ms). An event
   * after a quiet spell goes out at once; under load, events committed meanwhile are published
   * together, so the relay's five round trips per batch are shared instead of paid per event.
   * While events keep coming the relay polls at this interval and writers stop notifying it.
   */
  batchIntervalMs?: number;
  /** Where to report the outbox's backlog (reportOutboxBacklog), under the service's name. */
  metrics?: { registry: Registry; service: string };
}

// Any constant works; it only has to be the same for every replica relaying the same database
// (advisory locks are per database, so services sharing a server do not contend).
const RELAY_LOCK_KEY = 7_346_221_002;
// The lock writers hold, shared, while they read whether the relay listens (migration platform_008).
const FLAG_LOCK_KEY = 7_346_221_003;
const FIRST_RETRY_DELAY_MS = 200;
const RETENTION_SWEEP_INTERVAL_MS = 10 * 60_000;

interface OutboxRow {
  seq: number;
  topic: string;
  message_key: string;
  /** The event's JSON text as enqueued (migration platform_007): published as it is, never re-serialized. */
  event: string;
}

/**
 * - locked: another replica is publishing;
 * - empty: no unpublished row;
 * - drained: published the rows there were (fewer than a batch);
 * - more: published a full batch, there may be more;
 * - unpublished: found rows, the bus refused them (kept for a retry);
 * - failed: the database could not be reached.
 */
type BatchOutcome = 'locked' | 'empty' | 'drained' | 'more' | 'unpublished' | 'failed';

/**
 * Publishes the outbox (see enqueueEvent) to the bus, in `seq` order, and marks rows published in
 * the transaction that claimed them.
 *
 * - Replicas never publish the same rows at once: the claim locks its rows (`FOR UPDATE SKIP
 *   LOCKED`) until they are marked. Row locks alone would let a second replica skip ahead and
 *   publish an entity's later events while the first still publishes its earlier ones, so a
 *   transaction-level advisory lock also makes one replica at a time the publisher.
 * - A failed publish keeps the rows (attempts/last_error recorded) and retries with capped
 *   exponential backoff: a Kafka outage delays events, never loses them.
 * - Delivery is at-least-once: if the process dies between the broker's ack and the COMMIT, the
 *   batch is published again by the next relay. Consumers dedupe by event id (createEventConsumer).
 *   Within one relay, the idempotent producer makes the broker drop resent copies of a batch.
 * - Waking: after a quiet spell the relay listens, and the outbox's trigger NOTIFYs it on commit.
 *   Once it finds events it tells writers it polls (platform_outbox_relay.listening = false) and
 *   polls every batch interval, so a busy service's transactions stop paying for a notification
 *   each; after a poll finds nothing it goes back to listening, by the hand-over described in
 *   migration platform_008, which no event committed meanwhile can slip through.
 */
export class OutboxRelay {
  private readonly pool: Pool;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly retentionMs: number;
  private readonly batchIntervalMs: number;
  private readonly wakeup = new Wakeup();
  private stopSignal: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private listenerFailures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastSweepAt = 0;
  /**
   * After a failed publish, the next claim takes no more rows than the failed batch, so the same
   * rows go out as the same batches: kafkajs then reuses their sequence numbers, and the broker
   * drops a copy it had appended before the failure was reported.
   */
  private retryBatchSize: number | undefined;
  /**
   * What this relay last told writers (or, at start, what it cannot know: the default, true, makes
   * its first busy batch say so). Polling while this is false is what writers rely on.
   */
  private toldListening = true;
  /** True while the relay polls every batch interval instead of waiting for a NOTIFY. */
  private polling = true;

  constructor(options: OutboxRelayOptions) {
    this.pool = options.pool;
    this.bus = options.bus;
    this.logger = options.logger.child({ component: 'outbox-relay' });
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.retentionMs = options.retentionMs ?? 24 * 60 * 60_000;
    this.batchIntervalMs = options.batchIntervalMs ?? 50;
    if (options.metrics) reportOutboxBacklog({ ...options.metrics, pool: this.pool, logger: this.logger });
  }

  /** Starts relaying in the background; never fails because the database or the bus is down. */
  async start(): Promise<void> {
    if (this.loop) return;
    const stopSignal = new AbortController();
    this.stopSignal = stopSignal;
    await this.connectListener(stopSignal.signal);
    this.loop = this.run(stopSignal.signal);
  }

  /** Stops relaying; resolves after the in-flight batch is published (or failed) and its transaction ended. */
  async stop(): Promise<void> {
    if (!this.stopSignal || !this.loop) return;
    this.stopSignal.abort();
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await Promise.all([this.loop, listener?.end().catch(() => undefined)]);
    this.loop = undefined;
    this.stopSignal = undefined;
    // Writers told that this relay polls would notify no other replica: tell them to notify again.
    // Best effort; if this fails (or the process dies), other replicas still poll every pollIntervalMs.
    if (!this.toldListening) {
      await this.pool
        .query('UPDATE platform_outbox_relay SET listening = true')
        .then(() => (this.toldListening = true))
        .catch((err: unknown) => this.logger.warn({ err }, 'could not tell writers to notify again'));
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    let lastBatchAt = 0;
    while (!signal.aborted) {
      lastBatchAt = Date.now();
      const outcome = await this.relayBatch().catch((err: unknown): BatchOutcome => {
        this.logger.warn({ err }, 'outbox relay could not reach the database');
        return 'failed';
      });
      if (outcome === 'failed' || outcome === 'unpublished') {
        failures++;
        await sleep(backoffDelay(failures, FIRST_RETRY_DELAY_MS, this.maxBackoffMs), signal);
        continue;
      }
      failures = 0;
      await this.sweepIfDue();
      if (outcome === 'more') continue;
      if (outcome === 'empty' && this.polling) {
        // Nothing left: listen again if no writer that was told "polling" is still in flight, then
        // look once more for what such writers committed before the hand-over.
        const listening = await this.startListening().catch((err: unknown) => {
          this.logger.warn({ err }, 'outbox relay could not switch to listening; polling on');
          return false;
        });
        if (listening) continue;
      }
      if (this.polling) {
        await sleep(Math.max(0, lastBatchAt + this.batchIntervalMs - Date.now()), signal);
        continue;
      }
      await this.wakeup.wait(this.pollIntervalMs, signal);
      // Woken right after the last batch: let the events of the next few milliseconds join in.
      const sinceLast = Date.now() - lastBatchAt;
      if (sinceLast < this.batchIntervalMs) await sleep(this.batchIntervalMs - sinceLast, signal);
    }
  }

  private async relayBatch(): Promise<BatchOutcome> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let telling: Promise<void> | undefined;
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        RELAY_LOCK_KEY,
      ]);
      // Another replica is relaying; it will get these rows.
      if (!lock.rows[0]?.locked) return await commit(client, 'locked');
      const { rows } = await client.query<OutboxRow>(
        `SELECT seq, topic, message_key, event::text AS event FROM platform_outbox
          WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.retryBatchSize ?? this.batchSize],
      );
      if (rows.length === 0) return await commit(client, 'empty');
      // Events are coming: poll from now on, and tell writers they need not notify — at once, on
      // another connection, while this batch is published (a first publish can take a while).
      this.polling = true;
      if (this.toldListening) telling = this.tellWritersPolling();
      const seqs = rows.map((r) => r.seq);
      try {
        await this.bus.publish(rows.map(toMessage));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await client.query(
          'UPDATE platform_outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1)',
          [seqs, message],
        );
        this.logger.warn(
          { err, events: rows.length, firstSeq: seqs[0] },
          'publishing outbox events failed; will retry',
        );
        this.retryBatchSize = rows.length;
        return await commit(client, 'unpublished');
      }
      await client.query(
        'UPDATE platform_outbox SET published_at = now(), attempts = attempts + 1 WHERE seq = ANY($1)',
        [seqs],
      );
      this.retryBatchSize = undefined;
      const outcome = await commit(client, rows.length === this.batchSize ? 'more' : 'drained');
      this.logger.debug(
        { events: rows.length, firstSeq: seqs[0], lastSeq: seqs[seqs.length - 1] },
        'outbox events published',
      );
      return outcome;
    } catch (err) {
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A client whose connection failed must not go back to the pool.
      client.release(broken);
      await telling;
    }
  }

  /**
   * Writers stop notifying while this relay polls. Its own statement, not part of a batch: the row
   * lock would otherwise last as long as a publish, and startListening (of another replica) would
   * wait for it while holding the writers' lock. Best effort: a failure only costs notifications.
   * Never rejects.
   */
  private async tellWritersPolling(): Promise<void> {
    try {
      await this.pool.query('UPDATE platform_outbox_relay SET listening = false WHERE listening');
      this.toldListening = false;
    } catch (err) {
      this.logger.warn({ err }, 'could not tell writers that the outbox relay polls');
    }
  }

  /**
   * Tells writers to notify again, in one statement that also takes the writers' lock exclusively
   * without waiting. It fails (and changes nothing) while any writer holds the lock shared, that is,
   * while a transaction that may have read "polling" has not ended; the relay then keeps polling.
   * Once it succeeds, every writer that read "polling" has committed or rolled back, and every later
   * one reads "listening" (the lock is held until the statement commits).
   */
  private async startListening(): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE platform_outbox_relay SET listening = true WHERE pg_try_advisory_xact_lock($1)',
      [FLAG_LOCK_KEY],
    );
    if (!rowCount) return false;
    this.toldListening = true;
    this.polling = false;
    return true;
  }

  private async sweepIfDue(): Promise<void> {
    if (Date.now() - this.lastSweepAt < RETENTION_SWEEP_INTERVAL_MS) return;
    this.lastSweepAt = Date.now();
    try {
      const swept = await this.pool.query(
        'DELETE FROM platform_outbox WHERE published_at < now() - make_interval(secs => $1)',
        [this.retentionMs / 1000],
      );
      if (swept.rowCount) this.logger.info({ rows: swept.rowCount }, 'old published outbox rows deleted');
    } catch (err) {
      this.logger.warn({ err }, 'outbox retention sweep failed');
    }
  }

  /**
   * A dedicated connection (not a pool client, which LISTEN would pin) so the relay wakes as soon as
   * an event commits. If it drops, the relay keeps polling and reconnects with backoff.
   */
  private async connectListener(signal: AbortSignal): Promise<void> {
    const client = new pg.Client(this.pool.options);
    client.on('notification', () => this.wakeup.wake());
    client.on('error', (err) => {
      this.logger.warn({ err }, 'outbox LISTEN connection failed');
      this.dropListener(client, signal);
    });
    client.on('end', () => this.dropListener(client, signal));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      this.logger.warn({ err }, 'cannot LISTEN for outbox events; polling until reconnected');
      client.end().catch(() => undefined);
      this.scheduleListenerReconnect(signal);
      return;
    }
    if (signal.aborted) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.listenerFailures = 0;
    // NOTIFYs sent while no connection listened are lost: look at the table now.
    this.wakeup.wake();
  }

  private dropListener(client: pg.Client, signal: AbortSignal): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.scheduleListenerReconnect(signal);
  }

  private scheduleListenerReconnect(signal: AbortSignal): void {
    if (signal.aborted) return;
    this.listenerFailures++;
    const delay = backoffDelay(this.listenerFailures, FIRST_RETRY_DELAY_MS, this.maxBackoffMs);
    this.reconnectTimer = setTimeout(() => void this.connectListener(signal), delay);
  }
}

function toMessage(row: OutboxRow): OutgoingMessage {
  return {
    topic: row.topic,
    key: row.message_key,
    value: row.event,
    // CloudEvents Kafka binding, structured mode: the whole event is the value.
    headers: { 'content-type': 'application/cloudevents+json; charset=UTF-8' },
  };
}

async function commit(client: pg.PoolClient, outcome: BatchOutcome): Promise<BatchOutcome> {
  await client.query('COMMIT');
  return outcome;
}
