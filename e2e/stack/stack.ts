import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKafkaCluster, stopBroker } from './kafka';
import { startPostgres, stopPostgres } from './postgres';
import { startS3, stopS3 } from './s3';
import { readState, runStateFiles, type StackState } from './state';
import { findTools } from './tools';

/** Starts PostgreSQL, Kafka and the S3 server side by side; on any failure stops what did start. */
export async function startStack(ownerPid: number | null): Promise<StackState> {
  const tools = findTools();
  await reapAbandonedStacks();
  const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moocflix-stack-'));
  // PostgreSQL runs as the `postgres` user when we are root and must reach its data dir in here.
  fs.chmodSync(rootDir, 0o755);

  const [postgres, kafka, s3] = await Promise.allSettled([
    startPostgres(rootDir),
    startKafkaCluster(rootDir, tools.kafka),
    startS3(rootDir, tools.weed),
  ]);
  if (postgres.status === 'fulfilled' && kafka.status === 'fulfilled' && s3.status === 'fulfilled') {
    return { ownerPid, rootDir, postgres: postgres.value, kafka: kafka.value, s3: s3.value };
  }
  await Promise.allSettled([
    postgres.status === 'fulfilled' && stopPostgres(postgres.value),
    kafka.status === 'fulfilled' && stopBroker(kafka.value),
    s3.status === 'fulfilled' && stopS3(s3.value),
  ]);
  fs.rmSync(rootDir, { recursive: true, force: true });
  const reasons = [postgres, kafka, s3].flatMap((result) =>
    result.status === 'rejected' ? [result.reason] : [],
  );
  throw new AggregateError(reasons, `integration stack failed to start:\n${reasons.map(String).join('\n')}`);
}

/** Stops every system of the stack (by PID, from any process) and deletes its data and logs. */
export async function stopStack(state: StackState): Promise<void> {
  const results = await Promise.allSettled([
    stopPostgres(state.postgres),
    stopBroker(state.kafka),
    stopS3(state.s3),
  ]);
  fs.rmSync(state.rootDir, { recursive: true, force: true });
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (failures.length > 0) throw new AggregateError(failures, 'integration stack did not stop cleanly');
}

/**
 * A jest run killed before its globalTeardown (Ctrl-C, a crash, CI's time limit) leaves its servers
 * running; the next run stops them. Stacks of live jest runs and hand-started ones are left alone.
 */
async function reapAbandonedStacks(): Promise<void> {
  for (const file of runStateFiles()) {
    let state: StackState;
    try {
      state = readState(file);
    } catch {
      continue; // not a state file this code wrote
    }
    if (state.ownerPid === null || isAlive(state.ownerPid)) continue;
    // Best effort: a leftover that cannot be stopped must not keep this run from starting.
    await stopStack(state).catch((error: unknown) =>
      console.warn(`abandoned stack ${state.rootDir}: ${error}`),
    );
    fs.rmSync(file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
