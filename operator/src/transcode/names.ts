import { createHash } from 'node:crypto';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The TranscodeJob (and Job) name of a request: `tj-` and the first 16 hex digits of
 * sha256(requestId). Deterministic, so a redelivered request maps to the same object and is created
 * once; a valid DNS-1123 label whatever the request id contains.
 */
export function transcodeJobName(requestId: string): string {
  return `tj-${sha256(requestId).slice(0, 16)}`;
}

/**
 * The CloudEvent id of the failed Transcoding-Completed the operator publishes for a request:
 * derived from the request id (UUID-shaped), so publishing it again after a crash repeats the same
 * event, which consumers drop as already processed.
 */
export function failedCompletionEventId(requestId: string): string {
  const h = sha256(`moocflix-operator/transcoding-failed/${requestId}`);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
