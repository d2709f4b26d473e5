import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { UNEXPECTED_ERROR_EXIT_CODE } from './process-guard';

/** Runs process-guard.fixture.ts in its own Node process (the guard exits it) and collects what it wrote. */
async function runFixture(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'process-guard.fixture.ts'), mode],
    {
      cwd: __dirname,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  return { code, stdout, stderr };
}

function fatalLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.level === 60);
}

describe('process guard', () => {
  test.each([
    ['rejection', 'unhandledRejection', 'nobody awaited this'],
    ['timer-throw', 'uncaughtException', 'thrown in a timer'],
  ])(
    '%s: logged fatal with what was running, counted, and the process exits non-zero',
    async (mode, kind, message) => {
      const { code, stdout, stderr } = await runFixture(mode);

      // Without the guard, Node exits 1 on both and prints a stack to stderr: no log line, no metric.
      expect({ code, stderr: code === UNEXPECTED_ERROR_EXIT_CODE ? '' : stderr }).toEqual({
        code: UNEXPECTED_ERROR_EXIT_CODE,
        stderr: '',
      });
      const [fatal, ...more] = fatalLines(stdout);
      expect(more).toEqual([]);
      expect(fatal).toMatchObject({
        service: 'guarded-fixture',
        kind,
        process: 'guarded-fixture',
        pid: expect.any(Number),
        err: { message, stack: expect.stringContaining(message) },
        msg: expect.stringContaining(`${kind}: ${message}`),
      });
      // The interval the fixture keeps is among what was running.
      expect((fatal!.activeResources as Record<string, number>).Timeout).toBeGreaterThanOrEqual(1);
      expect(stderr).toContain(`moocflix_process_unexpected_errors_total{kind="${kind}"} 1`);
    },
    40_000,
  );
});
