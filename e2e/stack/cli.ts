/**
 * Runs the integration stack by hand:
 *   eval "$(node --import tsx e2e/stack/cli.ts up)"   starts it and exports its settings in your shell
 *   node --import tsx e2e/stack/cli.ts down           stops it and deletes its data
 * With MOOCFLIX_STACK_STATE exported, jest's integration project reuses this stack instead of starting one.
 */
import fs from 'node:fs';
import { envOf } from './env';
import { startStack, stopStack } from './stack';
import { manualStatePath, readState, STATE_ENV, writeState } from './state';

async function up(file: string): Promise<void> {
  if (fs.existsSync(file)) throw new Error(`a stack is already recorded in ${file}; run "down" first`);
  const state = await startStack(null);
  writeState(file, state);
  const env = { ...envOf(state), [STATE_ENV]: file };
  for (const [name, value] of Object.entries(env)) console.log(`export ${name}='${value}'`);
  console.error(`stack up: data and logs in ${state.rootDir}`);
}

async function down(file: string): Promise<void> {
  if (!fs.existsSync(file)) {
    console.error(`no stack recorded in ${file}`);
    return;
  }
  await stopStack(readState(file));
  fs.rmSync(file, { force: true });
  console.error('stack down');
}

const commands: Record<string, (file: string) => Promise<void>> = { up, down };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error('usage: node --import tsx e2e/stack/cli.ts up|down');
  process.exit(2);
}
command(process.env[STATE_ENV] || manualStatePath()).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
