import { attemptOf } from '../api/v1alpha1';
import { failedCompletionEventId, transcodeJobName } from './names';

test('the TranscodeJob name is deterministic, short, and a DNS-1123 label for any request id', () => {
  const name = transcodeJobName('8d1f6c2e-req');
  expect(name).toBe(transcodeJobName('8d1f6c2e-req'));
  expect(name).not.toBe(transcodeJobName('8d1f6c2e-reR'));
  for (const id of ['x', 'UPPER/and spaces', 'ü'.repeat(300)]) {
    expect(transcodeJobName(id)).toMatch(/^tj-[0-9a-f]{16}$/);
  }
});

test('the failed-completion event id is a UUID derived from the request id', () => {
  const id = failedCompletionEventId('req-1');
  expect(id).toBe(failedCompletionEventId('req-1'));
  expect(id).not.toBe(failedCompletionEventId('req-2'));
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('each attempt at a request has a TranscodeJob of its own; the first keeps the name a request had before attempts', () => {
  const spec = (attemptId?: string) =>
    ({ requestId: 'req-1', ...(attemptId && { attemptId }) }) as Parameters<typeof attemptOf>[0];
  expect(transcodeJobName(attemptOf(spec()).attemptId)).toBe(transcodeJobName('req-1'));
  expect(transcodeJobName(attemptOf(spec('req-1')).attemptId)).toBe(transcodeJobName('req-1'));
  expect(transcodeJobName(attemptOf(spec('attempt-2')).attemptId)).not.toBe(transcodeJobName('req-1'));
  expect(failedCompletionEventId('attempt-2')).not.toBe(failedCompletionEventId('req-1'));
});
