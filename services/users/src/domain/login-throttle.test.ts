import type { CounterState } from '../data/rate-limit-repository';
import { addressKey, countAttempt, type CounterPolicy, type Verdict } from './login-throttle';

const backoff: CounterPolicy = {
  kind: 'backoff',
  free: 3,
  baseSeconds: 2,
  maxSeconds: 30,
  windowSeconds: 900,
};
const ceiling: CounterPolicy = { kind: 'ceiling', free: 5, windowSeconds: 3600 };
const empty = (now: number): CounterState => ({ failures: 0, windowEnd: now, blockedUntil: null });

/** Attempts at the earliest moment each is allowed; the delays each one set. */
function delaysOfEagerClient(policy: CounterPolicy, attempts: number): number[] {
  let now = 1_000_000;
  let state = empty(now);
  const delays: number[] = [];
  for (let i = 0; i < attempts; i++) {
    const verdict = countAttempt(state, policy, now);
    if (!verdict.admitted) throw new Error('an eager client waits out every delay');
    state = verdict.next;
    const delay = state.blockedUntil === null ? 0 : (state.blockedUntil - now) / 1000;
    delays.push(delay);
    now += delay * 1000;
  }
  return delays;
}

const admitted = (v: Verdict) => {
  if (!v.admitted) throw new Error('refused');
  return v.next;
};

describe('countAttempt', () => {
  test('backoff: free failures, then delays that double up to the cap, even for a client that waits each one out', () => {
    expect(delaysOfEagerClient(backoff, 10)).toEqual([0, 0, 0, 2, 4, 8, 16, 30, 30, 30]);
  });

  test('a running delay refuses with the seconds left (rounded up) and counts nothing', () => {
    const now = 5_000_000;
    const state: CounterState = { failures: 4, windowEnd: now + 900_000, blockedUntil: now + 1_500 };
    expect(countAttempt(state, backoff, now)).toEqual({ admitted: false, retryAfterSeconds: 2 });
    expect(countAttempt(state, backoff, now + 1_499)).toEqual({ admitted: false, retryAfterSeconds: 1 });
    expect(admitted(countAttempt(state, backoff, now + 1_500)).failures).toBe(5);
  });

  test('a counter is forgotten once its window has passed after the last delay', () => {
    const now = 5_000_000;
    const afterFour = [1, 2, 3, 4].reduce((s, i) => admitted(countAttempt(s, backoff, now + i)), empty(now));
    expect(afterFour.windowEnd).toBe(afterFour.blockedUntil! + 900_000);
    expect(countAttempt(afterFour, backoff, afterFour.windowEnd - 1)).toMatchObject({
      next: { failures: 5 },
    });
    expect(countAttempt(afterFour, backoff, afterFour.windowEnd)).toEqual({
      admitted: true,
      next: { failures: 1, windowEnd: afterFour.windowEnd + 900_000, blockedUntil: null },
    });
  });

  test('ceiling: past it, everything waits until the window ends', () => {
    const now = 7_000_000;
    let state = empty(now);
    for (let i = 0; i < 5; i++) state = admitted(countAttempt(state, ceiling, now + i * 1000));
    expect(state).toEqual({ failures: 5, windowEnd: now + 3_600_000, blockedUntil: null });
    state = admitted(countAttempt(state, ceiling, now + 10_000));
    expect(state.blockedUntil).toBe(now + 3_600_000);
    expect(countAttempt(state, ceiling, now + 600_000)).toEqual({ admitted: false, retryAfterSeconds: 3000 });
  });
});

describe('addressKey', () => {
  test.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s counts as %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});
