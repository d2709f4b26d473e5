import fs from 'node:fs';
import { isRunning } from './processes';
import { startStack } from './stack';
import { readState, runStatePath, STATE_ENV, type StackState, writeState } from './state';

/**
 * jest globalSetup of the integration project: starts the stack once for the whole run and announces its
 * state file through MOOCFLIX_STACK_STATE, which the test workers inherit (jest-env.ts, control.ts).
 *
 * If MOOCFLIX_STACK_STATE already names a stack (`eval "$(node --import tsx e2e/stack/cli.ts up)"`), that one
 * is used and left running, so iterating on one test file skips the startup.
 */
export default async function globalSetup(): Promise<void> {
  const given = process.env[STATE_ENV];
  if (given && fs.existsSync(given)) {
    if (!isUp(readState(given))) {
      throw new Error(`${STATE_ENV}=${given} names a stack that is not running: cli.ts down, then up`);
    }
    return;
  }

  const file = given || runStatePath();
  const state = await startStack(process.pid);
  writeState(file, state);
  process.env[STATE_ENV] = file;
}

function isUp(state: StackState): boolean {
  const { postgres, kafka, s3 } = state;
  return (
    isRunning(postgres.process) && kafka.process !== null && isRunning(kafka.process) && isRunning(s3.process)
  );
}
