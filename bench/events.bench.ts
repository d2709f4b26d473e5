import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, runMigrations, withTransaction, type Pool } from '@moocflix/platform-db';
import {
  createEventConsumer,
  enqueueEvent,
  KafkaEventBus,
  KIT_MIGRATIONS_DIR,
  OutboxRelay,
  PostgresEventBus,
  Topics,
  type EventBus,
} from '@moocflix/platform-bus';
import { createLogger } from '@moocflix/platform-core/log';
import { startKafkaCluster, stopBroker, type KafkaState } from '../e2e/stack/kafka';
import { createDatabase, startPostgres, stopPostgres, type PostgresState } from '../e2e/stack/postgres';
import { findTools } from '../e2e/stack/tools';
import type { BenchResult } from './harness';
import { sized } from './profile';

/**
 * What a user waits for between an action and its effect in another service: an event's latency
 * from its outbox commit (the request's transaction) to the consumer's committed effect, through the
 * real path (outbox NOTIFY → relay → bus → consumer → processed-events transaction). Measured at a
 * steady RATE events/s for SECONDS, on Kafka (KRaft, from the test stack's jars) and on the durable
 * PostgreSQL bus of `make dev`. Goal: p99 < 250 ms on both.
 */
const RATE = sized(200, 50);
const SECONDS = sized(60, 2);
const GOAL_P99_MS = 250;
const REPO = join(__dirname, '..');
const logger = createLogger('bench', 'warn');

interface Latency {
  count: number;
  lost: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export async function eventLatencyKafkaBench(): Promise<BenchResult> {
  return latencyResult('Kafka', (await (measured ??= measureBoth())).kafka);
}

export async function eventLatencyEmbeddedBench(): Promise<BenchResult> {
  return latencyResult('the embedded PostgreSQL bus', (await (measured ??= measureBoth())).embedded);
}

let measured: Promise<{ kafka: Latency; embedded: Latency }> | undefined;

function latencyResult(bus: string, l: Latency): BenchResult {
  return {
    name: `event latency on ${bus}: outbox commit → consumer's effect committed, p99 at ${RATE} events/s`,
    baseline: `goal: p99 < ${GOAL_P99_MS} ms`,
    candidate: `p50 ${l.p50.toFixed(1)} ms, p90 ${l.p90.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`,
    ratio: l.p99 / GOAL_P99_MS,
    goal: `< 1.0 (p99 / ${GOAL_P99_MS} ms), none lost`,
    met: l.p99 < GOAL_P99_MS && l.lost === 0,
    details: `${l.count} events over ${SECONDS} s, ${l.lost} not consumed within 30 s after the last commit`,
    measurements: { latencyMs: { ...l } },
  };
}

async function measureBoth(): Promise<{ kafka: Latency; embedded: Latency }> {
  execFileSync('bash', [join(REPO, 'e2e/stack/prepare.sh')], { stdio: 'inherit' });
  const rootDir = fs.mkdtempSync(join(os.tmpdir(), 'events-bench-'));
  // PostgreSQL runs as the `postgres` user when we are root and must reach its data dir in here.
  fs.chmodSync(rootDir, 0o755);
  let postgres: PostgresState | undefined;
  let kafka: KafkaState | undefined;
  try {
    [postgres, kafka] = await Promise.all([startPostgres(rootDir), startKafkaCluster(rootDir, findTools().kafka)]);
    const kafkaBus = new KafkaEventBus({ brokers: [`127.0.0.1:${kafka.brokerPort}`], clientId: 'events-bench', logger });
    const kafkaLatency = await measureOn(kafkaBus, await createDatabase(postgres, 'events_bench_kafka'));
    const embeddedBus = await PostgresEventBus.open({ databaseUrl: await createDatabase(postgres, 'events_bench_bus'), logger });
    const embeddedLatency = await measureOn(embeddedBus, await createDatabase(postgres, 'events_bench_embedded'));
    return { kafka: kafkaLatency, embedded: embeddedLatency };
  } finally {
    await Promise.allSettled([kafka && stopBroker(kafka), postgres && stopPostgres(postgres)]);
    fs.rmSync(rootDir, { recursive: true, force: true });
  }
}

/** One service's outbox and one consumer group on `bus`, both on the service database `databaseUrl`. */
async function measureOn(bus: EventBus, databaseUrl: string): Promise<Latency> {
  const pool = createPool(databaseUrl, { max: 10, applicationName: 'events-bench' });
  const committedAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  const topic = Topics.CourseCreation;
  const relay = new OutboxRelay({ pool, bus, logger });
  const consumer = createEventConsumer({
    bus,
    pool,
    logger,
    groupId: `events-bench-${randomUUID()}`,
    handlers: {
      [topic]: async (event, _tx, context) => {
        context.afterCommit(() => doneAt.set(event.id, performance.now()));
      },
    },
  });
  try {
    await runMigrations(pool, KIT_MIGRATIONS_DIR, logger);
    await bus.ensureTopics([topic]);
    await relay.start();
    await consumer.start();
    await warmUp(pool, doneAt);

    const total = RATE * SECONDS;
    const start = performance.now();
    const commits: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      commits.push(commitOne(pool).then(({ id, at }) => void committedAt.set(id, at)));
    }
    await Promise.all(commits);
    const deadline = performance.now() + 30_000;
    while (doneAt.size < committedAt.size + WARM_UP && performance.now() < deadline) await sleep(50);

    const latencies = [...committedAt].flatMap(([id, at]) => {
      const done = doneAt.get(id);
      return done === undefined ? [] : [done - at];
    });
    return summarize(latencies, committedAt.size);
  } finally {
    await consumer.stop();
    await relay.stop();
    await bus.close();
    await pool.end();
  }
}

const WARM_UP = 20;

/** A few events first, not counted: connections, topic metadata and the JIT are warm before the clock runs. */
async function warmUp(pool: Pool, doneAt: Map<string, number>): Promise<void> {
  for (let i = 0; i < WARM_UP; i++) await commitOne(pool);
  const deadline = performance.now() + 60_000;
  while (doneAt.size < WARM_UP && performance.now() < deadline) await sleep(50);
  if (doneAt.size < WARM_UP) throw new Error(`warm-up: ${doneAt.size} of ${WARM_UP} events consumed within 60 s`);
}

/** One request's transaction: the event enters the outbox and commits; the clock starts at the commit. */
async function commitOne(pool: Pool): Promise<{ id: string; at: number }> {
  const courseId = randomUUID();
  const event = await withTransaction(pool, (tx) =>
    enqueueEvent(tx, Topics.CourseCreation, {
      source: 'events-bench',
      subject: courseId,
      data: { courseId, instructorId: randomUUID(), title: 'Latency', published: true, category: null, capacity: null, createdAt: new Date().toISOString() },
    }),
  );
  return { id: event.id, at: performance.now() };
}

function summarize(latencies: number[], sent: number): Latency {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { count: sent, lost: sent - sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}
