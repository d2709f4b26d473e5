import {
  controllerOwnerKey,
  jsonEqual,
  setCondition,
  splitKey,
  topLevelMergePatch,
  type Condition,
} from './objects';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:05:00Z');

test('setCondition moves lastTransitionTime only when the status changes (metav1 semantics)', () => {
  const first = setCondition(
    undefined,
    { type: 'Ready', status: 'False', reason: 'Waiting', message: 'a' },
    t0,
  );
  expect(first).toEqual([
    {
      type: 'Ready',
      status: 'False',
      reason: 'Waiting',
      message: 'a',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    },
  ]);
  const sameStatus = setCondition(
    first,
    { type: 'Ready', status: 'False', reason: 'Other', message: 'b' },
    t1,
  );
  expect(sameStatus[0]).toMatchObject({
    reason: 'Other',
    message: 'b',
    lastTransitionTime: '2026-01-01T00:00:00Z',
  });
  const flipped = setCondition(sameStatus, { type: 'Ready', status: 'True', reason: 'Ok', message: '' }, t1);
  expect(flipped[0]!.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
  const other = setCondition(flipped, { type: 'Other', status: 'True', reason: 'X', message: '' }, t1);
  expect(other.map((c: Condition) => c.type)).toEqual(['Ready', 'Other']);
});

test('jsonEqual ignores key order and undefined members', () => {
  expect(jsonEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
  expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
  expect(jsonEqual(null, {})).toBe(false);
});

test('topLevelMergePatch removes what the new object lacks', () => {
  expect(topLevelMergePatch({ a: 1, b: 2, c: 3 }, { a: 1, b: undefined, d: 4 })).toEqual({
    a: 1,
    b: null,
    c: null,
    d: 4,
  });
});

test('keys', () => {
  expect(splitKey('ns/name')).toEqual({ namespace: 'ns', name: 'name' });
  expect(splitKey('cluster-wide')).toEqual({ namespace: undefined, name: 'cluster-wide' });
  const owned = {
    metadata: {
      namespace: 'ns',
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Other', name: 'o', uid: '1', controller: false },
        {
          apiVersion: 'moocflix.io/v1alpha1',
          kind: 'TranscodeJob',
          name: 'tj-1',
          uid: '2',
          controller: true,
        },
      ],
    },
  };
  expect(controllerOwnerKey(owned, 'TranscodeJob')).toBe('ns/tj-1');
  expect(controllerOwnerKey(owned, 'Other')).toBeUndefined();
});
