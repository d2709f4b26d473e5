import type { TranscodeJob } from '../api/v1alpha1';
import { compareForAdmission, desiredConcurrency, selectForAdmission } from './admission';

const tj = (name: string, priority: number, requestedAt: string): TranscodeJob => ({
  metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    videoId: `v-${name}`,
    requestId: `r-${name}`,
    priority,
    request: {
      requestId: `r-${name}`,
      videoId: `v-${name}`,
      courseId: 'c',
      requestedBy: 'u',
      sourceKey: 's',
      outputPrefix: 'o',
      sourceFormat: 'mp4',
      requestedAt,
    },
  },
});

const names = (list: TranscodeJob[]) => list.map((t) => t.metadata.name);

test('higher priority first, then the oldest request, then the name', () => {
  const list = [
    tj('new-normal', 0, '2026-01-01T10:00:00.000Z'),
    tj('old-normal', 0, '2026-01-01T09:00:00.000Z'),
    tj('urgent', 5, '2026-01-01T11:00:00.000Z'),
    tj('b-same-time', 0, '2026-01-01T09:00:00.000Z'),
    tj('low', -1, '2026-01-01T08:00:00.000Z'),
  ];
  expect(names([...list].sort(compareForAdmission))).toEqual([
    'urgent',
    'b-same-time',
    'old-normal',
    'new-normal',
    'low',
  ]);
});

test('admits up to the free slots of max concurrency, in order', () => {
  const pending = [
    tj('a', 0, '2026-01-01T01:00:00Z'),
    tj('b', 0, '2026-01-01T02:00:00Z'),
    tj('c', 0, '2026-01-01T03:00:00Z'),
  ];
  expect(names(selectForAdmission(pending, 0, { min: 0, max: 5 }))).toEqual(['a', 'b', 'c']);
  expect(names(selectForAdmission(pending, 3, { min: 0, max: 5 }))).toEqual(['a', 'b']);
  expect(selectForAdmission(pending, 5, { min: 0, max: 5 })).toEqual([]);
  // More in flight than allowed (max lowered): nothing until it drains.
  expect(selectForAdmission(pending, 7, { min: 0, max: 5 })).toEqual([]);
});

test('min concurrency keeps slots for urgent requests (priority > 0)', () => {
  const normal = [
    tj('n1', 0, '2026-01-01T01:00:00Z'),
    tj('n2', 0, '2026-01-01T02:00:00Z'),
    tj('n3', 0, '2026-01-01T03:00:00Z'),
  ];
  // max 4, 2 reserved: normal work fills 2 slots at most.
  expect(names(selectForAdmission(normal, 0, { min: 2, max: 4 }))).toEqual(['n1', 'n2']);
  expect(selectForAdmission(normal, 2, { min: 2, max: 4 })).toEqual([]);
  // An urgent request still gets in while normal work has used its share.
  const urgent = tj('u', 1, '2026-01-01T05:00:00Z');
  expect(names(selectForAdmission([...normal, urgent], 2, { min: 2, max: 4 }))).toEqual(['u']);
  expect(selectForAdmission([urgent], 4, { min: 2, max: 4 })).toEqual([]);
  // min = max: only urgent work runs.
  expect(selectForAdmission(normal, 0, { min: 3, max: 3 })).toEqual([]);
});

test('the desired concurrency follows the queue depth within max', () => {
  const bounds = { min: 0, max: 10 };
  expect(desiredConcurrency(0, 0, 0, bounds)).toBe(0); // idle: scaled to zero
  expect(desiredConcurrency(2, 3, 1, bounds)).toBe(6);
  expect(desiredConcurrency(5, 40, 100, bounds)).toBe(10);
});
