import pino from 'pino';
import { periodicTask } from './periodic-task';

const logger = pino({ level: 'silent' });

/** Resolves after real timers of `ms` have had their chance to fire. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('periodicTask', () => {
  it('runs after the first delay, then again after each interval, until stopped', async () => {
    let runs = 0;
    const task = periodicTask({
      name: 't',
      logger,
      intervalMs: 10,
      firstRunAfterMs: 0,
      run: async () => {
        runs++;
      },
    });
    task.start();
    for (let i = 0; i < 200 && runs < 3; i++) await pause(5);
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    const afterStop = runs;
    await pause(50);
    expect(runs).toBe(afterStop);
  });

  it('never overlaps runs, and stop() waits for the run in progress and aborts its signal', async () => {
    let active = 0;
    let maxActive = 0;
    let aborted = false;
    let finished = 0;
    const task = periodicTask({
      name: 't',
      logger,
      intervalMs: 1,
      firstRunAfterMs: 0,
      run: async (signal) => {
        active++;
        maxActive = Math.max(maxActive, active);
        // A slow run, longer than the interval: the next one must wait for it.
        for (let i = 0; i < 6 && !signal.aborted; i++) await pause(5);
        aborted ||= signal.aborted;
        active--;
        finished++;
      },
    });
    task.start();
    for (let i = 0; i < 200 && finished < 3; i++) await pause(5);
    // Catch the next run in its loop.
    for (let i = 0; i < 500 && active === 0; i++) await pause(1);
    const stopping = task.stop();
    expect(active).toBe(1);
    await stopping;
    expect(maxActive).toBe(1);
    expect(active).toBe(0);
    expect(aborted).toBe(true);
  });

  it('keeps going after a failed run', async () => {
    let runs = 0;
    const task = periodicTask({
      name: 't',
      logger,
      intervalMs: 5,
      firstRunAfterMs: 0,
      run: async () => {
        runs++;
        if (runs === 1) throw new Error('database down');
      },
    });
    task.start();
    for (let i = 0; i < 200 && runs < 2; i++) await pause(5);
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
  });
});
