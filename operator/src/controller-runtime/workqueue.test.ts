import { WorkQueue } from './workqueue';

test('a key added many times while waiting is processed once', async () => {
  const q = new WorkQueue({ name: 't' });
  q.add('a');
  q.add('b');
  q.add('a');
  expect(q.len()).toBe(2);
  expect(await q.get()).toBe('a');
  expect(await q.get()).toBe('b');
  expect(q.len()).toBe(0);
});

test('a key added while in flight is handed out again only after done()', async () => {
  const q = new WorkQueue({ name: 't' });
  q.add('a');
  const key = await q.get();
  q.add('a');
  // Not to a second worker while the first still holds it.
  expect(q.len()).toBe(0);
  q.done(key!);
  expect(await q.get()).toBe('a');
});

test('a waiting worker gets a key as soon as it is added', async () => {
  const q = new WorkQueue({ name: 't' });
  const waiting = q.get();
  q.add('x');
  expect(await waiting).toBe('x');
});

test('addAfter delays a key; the earliest of several delays wins', async () => {
  const q = new WorkQueue({ name: 't' });
  const t0 = Date.now();
  q.addAfter('a', 300);
  q.addAfter('a', 60);
  q.addAfter('a', 500);
  expect(await q.get()).toBe('a');
  const waited = Date.now() - t0;
  expect(waited).toBeGreaterThanOrEqual(55);
  expect(waited).toBeLessThan(290);
  q.done('a');
  await new Promise((r) => setTimeout(r, 400));
  expect(q.len()).toBe(0);
});

test('failures back off exponentially with jitter, per key, until forget()', async () => {
  const q = new WorkQueue({ name: 't', baseDelayMs: 20, maxDelayMs: 1_000 });
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = Date.now();
    q.addRateLimited('a');
    const key = await q.get();
    delays.push(Date.now() - t0);
    q.done(key!);
  }
  expect(q.numRequeues('a')).toBe(4);
  // 20, 40, 80, 160 ms scaled by a jitter factor in [0.5, 1].
  [20, 40, 80, 160].forEach((nominal, i) => {
    expect(delays[i]).toBeGreaterThanOrEqual(nominal * 0.5 - 5);
    expect(delays[i]).toBeLessThan(nominal + 100);
  });
  q.forget('a');
  expect(q.numRequeues('a')).toBe(0);
});

test('shutDown releases waiting workers and drops delayed keys', async () => {
  const q = new WorkQueue({ name: 't' });
  const waiting = q.get();
  q.addAfter('later', 50);
  q.shutDown();
  expect(await waiting).toBeUndefined();
  q.add('ignored');
  expect(await q.get()).toBeUndefined();
});
