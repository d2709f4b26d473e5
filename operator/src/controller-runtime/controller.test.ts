import { createLogger } from '@moocflix/platform-core/log';
import { Registry } from 'prom-client';
import { Controller } from './controller';
import { createControllerMetrics } from './metrics';

const logger = createLogger('test', 'silent');

test('a failing key is retried with backoff, counted under controller-runtime names, then forgotten', async () => {
  const registry = new Registry();
  const metrics = createControllerMetrics(registry);
  let calls = 0;
  let succeeded!: () => void;
  const done = new Promise<void>((r) => (succeeded = r));
  const controller = new Controller({
    name: 'widgets',
    logger,
    metrics,
    baseDelayMs: 10,
    reconcile: async () => {
      calls++;
      if (calls < 3) throw new Error('not yet');
      succeeded();
    },
  });
  controller.start();
  controller.enqueue('ns/a');
  await done;
  await controller.stop();
  expect(calls).toBe(3);
  expect(controller.queue.numRequeues('ns/a')).toBe(0);
  const text = await registry.metrics();
  expect(text).toContain('controller_runtime_reconcile_total{controller="widgets",result="error"} 2');
  expect(text).toContain('controller_runtime_reconcile_total{controller="widgets",result="success"} 1');
  expect(text).toContain('controller_runtime_reconcile_errors_total{controller="widgets"} 2');
  expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="widgets"} 3');
  expect(text).toContain('workqueue_depth{name="widgets"} 0');
  expect(text).toContain('workqueue_retries_total{name="widgets"} 2');
});

test('requeueAfter brings the key back later', async () => {
  const seen: number[] = [];
  let resolve!: () => void;
  const twice = new Promise<void>((r) => (resolve = r));
  const controller = new Controller({
    name: 'requeue',
    logger,
    reconcile: async () => {
      seen.push(Date.now());
      if (seen.length === 2) resolve();
      return { requeueAfterMs: 80 };
    },
  });
  controller.start();
  controller.enqueue('k');
  await twice;
  await controller.stop();
  expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(75);
});

test('workers never reconcile the same key at once', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  let count = 0;
  let resolve!: () => void;
  const finished = new Promise<void>((r) => (resolve = r));
  const controller = new Controller({
    name: 'exclusive',
    workers: 4,
    logger,
    reconcile: async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      if (++count === 2) resolve();
    },
  });
  controller.start();
  controller.enqueue('same');
  await new Promise((r) => setTimeout(r, 5));
  controller.enqueue('same'); // while the first pass runs
  controller.enqueue('same'); // deduped with the previous add
  await finished;
  await new Promise((r) => setTimeout(r, 50));
  await controller.stop();
  expect(maxInFlight).toBe(1);
  expect(count).toBe(2);
});
