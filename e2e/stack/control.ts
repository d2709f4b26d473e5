/**
 * What integration tests use from the stack. Works in any jest worker: everything goes through the state
 * file that globalSetup wrote (MOOCFLIX_STACK_STATE), never through objects held by another process.
 */
import { randomBytes } from 'node:crypto';
import { envOf, type StackEnv } from './env';
import { launchBroker, stopBroker } from './kafka';
import { isRunning } from './processes';
import { createDatabase } from './postgres';
import { currentStatePath, readState, writeState } from './state';

export { waitFor, type WaitOptions } from './wait';
export type { StackEnv } from './env';

/** The connection settings of the running stack (also set on process.env by jest-env.ts). */
export function stackEnv(): StackEnv {
  return envOf(readState(currentStatePath()));
}

/**
 * A new, empty database on the shared PostgreSQL, named `<prefix>_<random>`; returns its URL.
 * Give each test file its own, so files never see each other's rows.
 */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 40);
  const { postgres } = readState(currentStatePath());
  return createDatabase(postgres, `${base}_${randomBytes(6).toString('hex')}`);
}

/** Stops the Kafka broker cleanly, keeping its data; clients see the broker as down until startKafka(). */
export async function stopKafka(): Promise<void> {
  const file = currentStatePath();
  const state = readState(file);
  await stopBroker(state.kafka);
  state.kafka.process = null;
  writeState(file, state);
}

/** Starts the broker again with the same data dir and ports, and waits until clients can use it. */
export async function startKafka(): Promise<void> {
  const file = currentStatePath();
  const state = readState(file);
  if (state.kafka.process && isRunning(state.kafka.process)) return;
  state.kafka.process = await launchBroker(state.kafka);
  writeState(file, state);
}
