import type { Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { withTransaction, type Pool, type PoolClient } from '@moocflix/platform-db';
import { backoffDelay, sleep } from '@moocflix/platform-core/retry';
import { periodicTask } from '@moocflix/platform-core/process';
import type { EventBus, IncomingMessage, Subscription } from './bus';
import { InvalidEventError, parseEvent, type CloudEvent } from './envelope';
import type { EventData } from './schemas';
import { deadLetterMessage } from './dead-letter';
import { inConsumerSpan, recordFailure } from './event-tracing';
import { deadLetterTopic, type Topic } from './topics';

/** What a handler may ask of the consumer besides its transaction. */
export interface HandlerContext {
  /**
   * Runs `fn` once the handler's transaction has committed, never if it rolls back (a failed
   * attempt's callbacks are dropped with it): the moment to wake a worker that reads what the
   * handler wrote. A throwing `fn` is logged; the event stays processed.
   */
  afterCommit(fn: () => void): void;
}

export type EventHandler<T extends Topic> = (
  event: CloudEvent<EventData<T>>,
  tx: PoolClient,
  context: HandlerContext,
) => Promise<void>;
export type EventHandlers = { [T in Topic]?: EventHandler<T> };

export interface EventConsumerOptions {
  bus: EventBus;
  pool: Pool;
  logger: Logger;
  /** The consumer group; also the namespace of the processed-events rows. */
  groupId: string;
  handlers: EventHandlers;
  /** Handler runs per message before it goes to the dead-letter topic. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. */
  retryDelayMs?: number;
  startFrom?: 'earliest' | 'latest';
  /**
   * How long this group's processed event ids are kept (default 30 days). An id only guards against
   * a redelivery of its event, so it must outlive every copy that can still arrive: Kafka keeps
   * messages 7 days by default, and a dead-lettered message may be replayed by hand days later. An
   * event that arrives again after its id was deleted is applied a second time.
   */
  processedRetentionMs?: number;
  /** Time between two deletions of expired processed ids (default 10 minutes; the first runs at start). */
  processedSweepIntervalMs?: number;
}

export interface EventConsumer {
  start(): Promise<void>;
  /** Resolves after the in-flight message is handled (or left unacknowledged, to be redelivered). */
  stop(): Promise<void>;
}

const MAX_RETRY_DELAY_MS = 5_000;
const PROCESSED_RETENTION_MS = 30 * 24 * 60 * 60_000;
const PROCESSED_SWEEP_INTERVAL_MS = 10 * 60_000;
// Rows deleted per statement (each its own transaction): a backlog of millions, e.g. on the first
// sweep after an upgrade, never holds one long transaction or one huge set of row locks.
const PROCESSED_SWEEP_CHUNK = 10_000;
// The subquery picks a chunk by the (consumer_group, processed_at) index (platform_005); the delete
// then goes straight to those rows by ctid. Rows are never updated, so a row's ctid stays put; a row
// that another replica's sweep deleted meanwhile is skipped, not an error.
const SWEEP_PROCESSED_SQL = `DELETE FROM platform_processed_events WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM platform_processed_events
   WHERE consumer_group = $1 AND processed_at < now() - make_interval(secs => $2)
   LIMIT $3))`;

/** What became of the message: processed, duplicate (already processed by the group), dead-lettered. */
const OUTCOME_ATTRIBUTE = 'moocflix.event.outcome';

/** Marks an error thrown by the handler, as opposed to the database failing around it. */
class HandlerFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'HandlerFailure';
  }
}

/**
 * At-least-once delivery, effectively-once effects (docs/architecture.md#idempotent-consumers). Per message:
 * 1. parse and validate it; a malformed one goes straight to `<topic>.DLQ`;
 * 2. in ONE transaction: record (groupId, event id) in platform_processed_events and run the
 *    handler with that transaction; an id already recorded means a redelivery, skipped;
 * 3. a throwing handler is retried with backoff, then the message is dead-lettered with the error;
 * 4. only then does the bus handler resolve, so the offset is committed after the effect.
 * If the database itself is unreachable the message is not acknowledged, and the bus redelivers it
 * later: an outage must not send every message to the dead-letter topic.
 * While it runs, the consumer deletes its group's processed ids older than `processedRetentionMs`.
 * Each message is handled in a CONSUMER span continuing the event's trace (event-tracing.ts).
 */
export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const { bus, pool, groupId, handlers } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const processedRetentionMs = options.processedRetentionMs ?? PROCESSED_RETENTION_MS;
  const processedSweepIntervalMs = options.processedSweepIntervalMs ?? PROCESSED_SWEEP_INTERVAL_MS;
  const logger = options.logger.child({ component: 'event-consumer', groupId });
  const topics = Object.keys(handlers) as Topic[];
  let subscription: Subscription | undefined;
  let stopSignal = new AbortController();

  async function applyOnce(
    event: CloudEvent,
    handler: EventHandler<Topic>,
  ): Promise<'processed' | 'duplicate'> {
    const afterCommit: Array<() => void> = [];
    const outcome = await withTransaction(pool, async (tx) => {
      const claimed = await tx.query(
        'INSERT INTO platform_processed_events (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [groupId, event.id],
      );
      if (claimed.rowCount === 0) return 'duplicate';
      try {
        await handler(event as CloudEvent<never>, tx, { afterCommit: (fn) => afterCommit.push(fn) });
      } catch (err) {
        throw new HandlerFailure(err);
      }
      return 'processed';
    });
    for (const fn of afterCommit) {
      try {
        fn();
      } catch (err) {
        logger.warn({ err, eventId: event.id }, 'after-commit callback failed');
      }
    }
    return outcome;
  }

  async function deadLetter(
    message: IncomingMessage,
    reason: 'malformed' | 'handler-failed',
    error: unknown,
    attempts: number,
  ) {
    await bus.publish([deadLetterMessage(message, { reason, error, consumerGroup: groupId, attempts })]);
  }

  /**
   * One message, inside a CONSUMER span that continues the trace of whoever created the event
   * (event-tracing.ts): the handler's queries and the events it enqueues join that trace.
   */
  async function handleMessage(message: IncomingMessage): Promise<void> {
    const topic = message.topic as Topic;
    const handler = handlers[topic] as EventHandler<Topic> | undefined;
    if (!handler) throw new Error(`No handler for topic ${topic} in consumer group ${groupId}`);
    let event: CloudEvent | undefined;
    let malformed: InvalidEventError | undefined;
    try {
      event = parseEvent(topic, message.value);
    } catch (err) {
      if (!(err instanceof InvalidEventError)) throw err;
      malformed = err;
    }
    await inConsumerSpan({ message, groupId, busKind: bus.kind, event }, async (span) => {
      if (!event) {
        logger.error(
          { topic, partition: message.partition, offset: message.offset, err: malformed },
          'malformed event dead-lettered',
        );
        recordFailure(span, malformed);
        span.setAttribute(OUTCOME_ATTRIBUTE, 'dead-lettered');
        await deadLetter(message, 'malformed', malformed, 0);
        return;
      }
      span.setAttribute(OUTCOME_ATTRIBUTE, await handleEvent(message, event, handler, span));
    });
  }

  async function handleEvent(
    message: IncomingMessage,
    event: CloudEvent,
    handler: EventHandler<Topic>,
    span: Span,
  ): Promise<'processed' | 'duplicate' | 'dead-lettered'> {
    const log = logger.child({ topic: message.topic, eventId: event.id });
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await applyOnce(event, handler);
        log.debug(outcome === 'duplicate' ? 'duplicate delivery skipped' : 'event processed');
        return outcome;
      } catch (err) {
        if (!(err instanceof HandlerFailure)) throw err;
        if (attempt >= maxAttempts) {
          log.error(
            { err: err.cause, attempts: attempt },
            'event handler keeps failing; event dead-lettered',
          );
          recordFailure(span, err.cause);
          await deadLetter(message, 'handler-failed', err.cause, attempt);
          return 'dead-lettered';
        }
        log.warn({ err: err.cause, attempt }, 'event handler failed; retrying');
        // Each failed attempt is an exception event on the span; the span fails only if the last one does.
        span.recordException(err.cause instanceof Error ? err.cause : String(err.cause));
        await sleep(backoffDelay(attempt, retryDelayMs, MAX_RETRY_DELAY_MS), stopSignal.signal);
        // Left unacknowledged: the bus redelivers it to whoever consumes the group next.
        if (stopSignal.signal.aborted) throw new Error('event consumer stopping', { cause: err.cause });
      }
    }
  }

  /** Deletes this group's expired processed ids; other groups sweep their own on their own schedule. */
  async function sweepProcessed(signal: AbortSignal): Promise<void> {
    let deleted = 0;
    try {
      for (;;) {
        const { rowCount } = await pool.query(SWEEP_PROCESSED_SQL, [
          groupId,
          processedRetentionMs / 1000,
          PROCESSED_SWEEP_CHUNK,
        ]);
        deleted += rowCount ?? 0;
        // A stop() waits for the sweep: finish the chunk, leave the rest to the next run.
        if ((rowCount ?? 0) < PROCESSED_SWEEP_CHUNK || signal.aborted) break;
      }
    } finally {
      if (deleted > 0) logger.info({ rows: deleted }, 'expired processed event ids deleted');
    }
  }

  const processedSweep = periodicTask({
    name: 'processed-events-retention',
    logger,
    intervalMs: processedSweepIntervalMs,
    // The first sweep right away: a service restarted more often than the interval still sweeps.
    firstRunAfterMs: 0,
    run: sweepProcessed,
  });

  return {
    async start() {
      if (subscription) return;
      stopSignal = new AbortController();
      await bus.ensureTopics([...topics, ...topics.map(deadLetterTopic)]);
      subscription = await bus.subscribe({
        groupId,
        topics,
        handler: handleMessage,
        startFrom: options.startFrom,
      });
      processedSweep.start();
      logger.info({ topics }, 'event consumer started');
    },
    async stop() {
      if (!subscription) return;
      stopSignal.abort();
      await Promise.all([subscription.close(), processedSweep.stop()]);
      subscription = undefined;
    },
  };
}
