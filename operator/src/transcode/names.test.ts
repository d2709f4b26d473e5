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
