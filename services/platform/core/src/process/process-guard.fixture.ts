/**
 * A process with the kit's process guard installed, started by process-guard.test.ts: the guard
 * ends the process, which jest's own process must not be. `argv[2]` picks the failure:
 * - `rejection`: a promise rejected with nobody awaiting it (a floating promise);
 * - `timer-throw`: an exception thrown in a timer callback (no caller to catch it).
 * The guard's beforeExit hook prints the metrics as /metrics would serve them, so the test sees
 * the counter incremented in the process that counted it.
 */
import { createLogger } from '../log';
import { createMetricsRegistry } from '../metrics';
import { installProcessGuard } from './process-guard';

const registry = createMetricsRegistry();
const logger = createLogger('guarded-fixture', 'info');
const guard = installProcessGuard({
  logger,
  name: 'guarded-fixture',
  beforeExit: async () => {
    process.stderr.write(await registry.metrics());
  },
});
guard.registerMetrics(registry);

// Something "running", as a real service would have: a timer keeps the event loop alive.
const keepAlive = setInterval(() => undefined, 1_000);

const mode = process.argv[2];
if (mode === 'rejection') {
  // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the point of the fixture
  Promise.reject(new Error('nobody awaited this'));
} else if (mode === 'timer-throw') {
  setTimeout(() => {
    throw new Error('thrown in a timer');
  }, 10);
} else {
  clearInterval(keepAlive);
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exitCode = 2;
}
