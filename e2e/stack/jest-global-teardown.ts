import fs from 'node:fs';
import { stopStack } from './stack';
import { currentStatePath, readState } from './state';

/** jest globalTeardown of the integration project: stops the stack that globalSetup started. */
export default async function globalTeardown(): Promise<void> {
  const file = currentStatePath();
  const state = readState(file);
  // A stack started by hand (cli.ts up) and reused by this run stays up for the next run.
  if (state.ownerPid !== process.pid) return;
  await stopStack(state);
  fs.rmSync(file, { force: true });
}
