import type { AuthContext } from './types';
import { VerifiedTokenCache } from './verified-token-cache';

const nowSeconds = () => Math.floor(Date.now() / 1000);

function contextFor(token: string, expiresAt = nowSeconds() + 600): AuthContext {
  return { userId: `user-of-${token}`, role: 'student', tokenId: token, issuedAt: nowSeconds(), expiresAt };
}

/** A verifier that counts its calls and settles only when the test says so. */
function controlledVerifier() {
  const calls: string[] = [];
  const pending: { resolve: (auth: AuthContext) => void; reject: (err: Error) => void }[] = [];
  const verify = (token: string) => {
    calls.push(token);
    return new Promise<AuthContext>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { calls, pending, verify };
}

describe('VerifiedTokenCache', () => {
  test('concurrent first uses of a token share one verification', async () => {
    const cache = new VerifiedTokenCache(100);
    const verifier = controlledVerifier();
    const waiting = Array.from({ length: 20 }, () => cache.settle('fresh', verifier.verify));
    expect(verifier.calls).toEqual(['fresh']);
    verifier.pending[0]!.resolve(contextFor('fresh'));
    const results = await Promise.all(waiting);
    expect(new Set(results).size).toBe(1);
    expect(cache.get('fresh')).toEqual(contextFor('fresh'));
    // Remembered: a later use needs no verification at all.
    expect(verifier.calls).toHaveLength(1);
  });

  test('different tokens are verified separately', async () => {
    const cache = new VerifiedTokenCache(100);
    const verifier = controlledVerifier();
    const a = cache.settle('a', verifier.verify);
    const b = cache.settle('b', verifier.verify);
    expect(verifier.calls).toEqual(['a', 'b']);
    verifier.pending[0]!.resolve(contextFor('a'));
    verifier.pending[1]!.resolve(contextFor('b'));
    expect((await a).tokenId).toBe('a');
    expect((await b).tokenId).toBe('b');
  });

  test('a failed verification reaches every waiting caller and is not remembered', async () => {
    const cache = new VerifiedTokenCache(100);
    const verifier = controlledVerifier();
    const waiting = [cache.settle('bad', verifier.verify), cache.settle('bad', verifier.verify)];
    verifier.pending[0]!.reject(new Error('invalid signature'));
    for (const outcome of waiting) await expect(outcome).rejects.toThrow('invalid signature');
    expect(cache.get('bad')).toBeUndefined();
    // The next use verifies again instead of joining the finished attempt.
    void cache.settle('bad', verifier.verify).catch(() => undefined);
    expect(verifier.calls).toEqual(['bad', 'bad']);
    verifier.pending[1]!.reject(new Error('invalid signature'));
  });

  test('an expired entry is forgotten', async () => {
    const cache = new VerifiedTokenCache(100);
    await cache.settle('old', async (token) => contextFor(token, nowSeconds() - 1));
    expect(cache.get('old')).toBeUndefined();
  });

  test('bounded: the oldest entry goes first; size 0 remembers nothing but still shares', async () => {
    const cache = new VerifiedTokenCache(2);
    for (const token of ['t1', 't2', 't3']) await cache.settle(token, async (t) => contextFor(t));
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')?.tokenId).toBe('t2');
    expect(cache.get('t3')?.tokenId).toBe('t3');

    const off = new VerifiedTokenCache(0);
    const verifier = controlledVerifier();
    const waiting = [off.settle('x', verifier.verify), off.settle('x', verifier.verify)];
    verifier.pending[0]!.resolve(contextFor('x'));
    await Promise.all(waiting);
    expect(verifier.calls).toHaveLength(1);
    expect(off.get('x')).toBeUndefined();
  });
});
