import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KafkaState } from './kafka';
import type { PostgresState } from './postgres';
import type { S3State } from './s3';

/**
 * Everything needed to reach and control a running stack from another process: jest's globalSetup writes
 * it, each test worker reads it (jest-env.ts, control.ts), globalTeardown and cli.ts down stop what it lists.
 */
export interface StackState {
  /** The jest process the stack belongs to; null for a stack started by hand (cli.ts up). */
  ownerPid: number | null;
  /** Temp folder holding every data dir and log of this stack. */
  rootDir: string;
  postgres: PostgresState;
  kafka: KafkaState;
  s3: S3State;
}

/** The variable naming the state file, set by globalSetup for the workers and printed by cli.ts up. */
export const STATE_ENV = 'MOOCFLIX_STACK_STATE';

const uid = os.userInfo().uid;
const runFilePattern = new RegExp(`^moocflix-stack-${uid}-(\\d+)\\.json$`);

/** One file per jest run, so two runs on one machine (or two engineers) never share a stack. */
export function runStatePath(): string {
  return path.join(os.tmpdir(), `moocflix-stack-${uid}-${process.pid}.json`);
}

/** The stack started by hand with cli.ts up. */
export function manualStatePath(): string {
  return path.join(os.tmpdir(), `moocflix-stack-${uid}.json`);
}

/** State files of earlier jest runs (possibly killed before their teardown). */
export function runStateFiles(): string[] {
  return fs
    .readdirSync(os.tmpdir())
    .filter((name) => runFilePattern.test(name))
    .map((name) => path.join(os.tmpdir(), name));
}

/** The state file of the stack this process uses, as globalSetup announced it. */
export function currentStatePath(): string {
  const file = process.env[STATE_ENV];
  if (!file) {
    throw new Error(
      `${STATE_ENV} is not set: integration tests run under jest's integration project (e2e/stack)`,
    );
  }
  return file;
}

export function readState(file: string): StackState {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as StackState;
}

/** Written to a temp file and renamed, so a reader never sees half a file. */
export function writeState(file: string, state: StackState): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(state, null, 2), { mode: 0o600 });
  fs.renameSync(temp, file);
}
