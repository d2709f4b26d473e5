import { createHash } from 'node:crypto';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The TranscodeJob (and Job) name of one attempt at a request: `tj-` and the first 16 hex digits of
 * sha256(attemptId). Deterministic, so a redelivered request maps to the same object and is created
 * once, while the next attempt (a new id) gets a TranscodeJob of its own; a valid DNS-1123 label
 * whatever the id contains. A first attempt's id is its request id: objects created before attempts
 * existed have the same name.
 */
export function transcodeJobName(attemptId: string): string {
  return `tj-${sha256(attemptId).slice(0, 16)}`;
}

/**
 * The CloudEvent id of the failed Transcoding-Completed the operator publishes for an attempt:
 * derived from the attempt id (UUID-shaped), so publishing it again after a crash repeats the same
 * event, which consumers drop as already processed, while each attempt's failure is an event of its own.
 */
export function failedCompletionEventId(attemptId: string): string {
  const h = sha256(`moocflix-operator/transcoding-failed/${attemptId}`);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
