import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import pino from 'pino';
import { createTestDatabase, waitFor } from '../../../../../e2e/stack/control';
import { createPool, runMigrations, type Pool } from '@moocflix/platform-db';
import { KIT_MIGRATIONS_DIR } from './index';
import { PostgresEventBus } from './postgres-bus';
import { Topics } from './topics';

/**
 * kill -9 of a process that publishes and consumes through the durable bus, at random points of a
 * burst, a few times over; then a process that only consumes. Every event whose publish() was
 * acknowledged before a kill must be in the log, and every event in the log must have had its effect
 * exactly once: nothing lost between the publisher and the consumer, no effect applied twice.
 */
const FIXTURE = join(__dirname, 'postgres-bus.kill-fixture.ts');
const ROUNDS = 4;
const BURST = 300;

interface Run {
  child: ChildProcess;
  acknowledged: string[];
  publishedAll: boolean;
  ready: Promise<void>;
  output: () => string;
}

function startFixture(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { child, acknowledged: [], publishedAll: false, ready: Promise.resolve(), output: () => output };
  let output = '';
  let pending = '';
  let markReady: () => void = () => undefined;
  run.ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) before it was ready:\n${output}`)));
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') markReady();
      else if (line === 'published-all') run.publishedAll = true;
      else if (line.startsWith('published ')) run.acknowledged.push(...line.slice('published '.length).split(','));
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return run;
}

async function kill(run: Run): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  const exited = once(run.child, 'exit');
  run.child.kill('SIGKILL');
  await exited;
}

describe('PostgresEventBus under kill -9', () => {
  let busUrl: string;
  let effectsUrl: string;
  let effects: Pool;
  let bus: Pool;
  const runs: Run[] = [];

  beforeAll(async () => {
    busUrl = await createTestDatabase('bus_kill');
    effectsUrl = await createTestDatabase('bus_kill_effects');
    // The bus's tables exist before the first kill can land in the middle of creating them.
    await (await PostgresEventBus.open({ databaseUrl: busUrl, logger: pino({ level: 'silent' }) })).close();
    effects = createPool(effectsUrl);
    await runMigrations(effects, KIT_MIGRATIONS_DIR);
    await effects.query('CREATE TABLE effects (id serial PRIMARY KEY, event_id text NOT NULL)');
    bus = createPool(busUrl);
  });
  afterAll(async () => {
    await Promise.all(runs.map(kill));
    await Promise.all([effects?.end(), bus?.end()]);
  });

  const logged = async (): Promise<string[]> =>
    (
      await bus.query<{ id: string }>(
        "SELECT value::jsonb->>'id' AS id FROM bus_messages WHERE topic = $1 ORDER BY message_offset",
        [Topics.StudentEnrolled],
      )
    ).rows.map((r) => r.id);
  const effectCount = async (): Promise<number> =>
    (await effects.query<{ n: number }>('SELECT count(*)::int AS n FROM effects')).rows[0]!.n;

  it('loses no acknowledged event and applies each exactly once across random SIGKILLs', async () => {
    const env = { BUS_URL: busUrl, EFFECTS_URL: effectsUrl };
    const acknowledged: string[] = [];
    let killedMidBurst = 0;
    let killedBehind = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const run = startFixture({ ...env, PUBLISH: String(BURST), ROUND: String(round) });
      runs.push(run);
      await run.ready;
      if (round % 2 === 1) {
        // Surely in the middle of the burst: once a random part of it was acknowledged. (A random time
        // alone could miss it every round: on a quiet machine the burst can be over in 600 ms.)
        const target = 1 + Math.floor(Math.random() * (BURST / 2));
        await waitFor(() => run.acknowledged.length >= target || run.child.exitCode !== null, {
          timeoutMs: 30_000,
          intervalMs: 2,
        });
      } else {
        // Somewhere in the burst or after it: publishing, consuming, or both.
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 1_200));
      }
      await kill(run);
      acknowledged.push(...run.acknowledged);
      if (!run.publishedAll) killedMidBurst++;
      if ((await effectCount()) < (await logged()).length) killedBehind++;
    }
    // The scenario really happened: kills during the burst, with events left unconsumed.
    expect(killedMidBurst).toBeGreaterThan(0);
    expect(killedBehind).toBeGreaterThan(0);

    const drain = startFixture({ ...env, PUBLISH: '0' });
    runs.push(drain);
    await drain.ready;
    const inLog = await logged();
    await waitFor(async () => (await effectCount()) >= inLog.length, { timeoutMs: 60_000, intervalMs: 200 });
    // A duplicate would show up as an extra row a moment later: give it the time.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await kill(drain);

    // Every acknowledged publish is in the log (and nothing else is).
    expect(new Set(inLog).size).toBe(inLog.length);
    expect(inLog).toEqual(expect.arrayContaining(acknowledged));
    // Every event in the log had its effect exactly once.
    const { rows } = await effects.query<{ event_id: string; n: number }>(
      'SELECT event_id, count(*)::int AS n FROM effects GROUP BY event_id',
    );
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(rows.map((r) => r.event_id).sort()).toEqual([...inLog].sort());
  }, 180_000);
});
