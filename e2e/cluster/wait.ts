// Polling for readiness instead of sleeping: each probe runs every 200 ms until it passes, a
// watched process dies (fail at once, with its log) or the deadline passes (fail with the last error).
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning, logTail, type ManagedProcess } from './processes';

export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  watched: ManagedProcess[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not ready';
  for (;;) {
    const dead = watched.find((p) => !isRunning(p));
    if (dead)
      throw new Error(`${dead.name} exited while waiting for ${what}; last log lines:\n${logTail(dead)}`);
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const logs = watched.map((p) => `--- ${p.name} (${p.logFile})\n${logTail(p, 10)}`).join('\n');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${lastError}\n${logs}`);
    }
    await sleep(200);
  }
}
