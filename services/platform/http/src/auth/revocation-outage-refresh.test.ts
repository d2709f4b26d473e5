import pino from 'pino';
import { startRevocationOutageRefresh } from './revocation-outage-refresh';
import { InMemoryRevocationList } from './revocation-list';
import type { RevocationSnapshot } from './revocation-snapshot';
import type { AuthContext } from './types';

const logger = pino({ level: 'silent' });
const nowSeconds = () => Math.floor(Date.now() / 1000);

function token(tokenId: string): AuthContext {
  return { userId: 'u-1', role: 'student', tokenId, issuedAt: nowSeconds(), expiresAt: nowSeconds() + 900 };
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('startRevocationOutageRefresh', () => {
  it('reads the source only while the bus does not answer, applies what it reads, and retries a failed read', async () => {
    const revocations = new InMemoryRevocationList();
    let busUp = true;
    let pings = 0;
    let loads = 0;
    let sourceFails = false;
    const inForce: RevocationSnapshot = { tokens: [], users: [] };
    const refresh = startRevocationOutageRefresh({
      busAnswers: async () => {
        pings++;
        return busUp;
      },
      load: async () => {
        loads++;
        if (sourceFails) throw new Error('users service unreachable');
        return structuredClone(inForce);
      },
      revocations,
      logger,
      intervalMs: 10,
    });
    try {
      // The bus answers: the feed delivers revocations, the source is left alone.
      await until(() => pings >= 5);
      expect(loads).toBe(0);

      // A logout during a broker outage reaches this process from the source, not the feed.
      busUp = false;
      inForce.tokens.push({ tokenId: 'logged-out', expiresAt: nowSeconds() + 900 });
      await until(() => revocations.isRevoked(token('logged-out')));
      expect(revocations.isRevoked(token('still-valid'))).toBe(false);

      // A source that fails is read again on the next run.
      sourceFails = true;
      inForce.tokens.push({ tokenId: 'second', expiresAt: nowSeconds() + 900 });
      const failedFrom = loads;
      await until(() => loads >= failedFrom + 2);
      expect(revocations.isRevoked(token('second'))).toBe(false);
      sourceFails = false;
      await until(() => revocations.isRevoked(token('second')));

      // The bus is back: the source is no longer read.
      busUp = true;
      const pingsBack = pings;
      await until(() => pings >= pingsBack + 2);
      const loadsBack = loads;
      await until(() => pings >= pingsBack + 6);
      expect(loads).toBe(loadsBack);
    } finally {
      await refresh.stop();
    }
  });
});
