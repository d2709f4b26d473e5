import type { IncomingMessage, OutgoingMessage } from './bus';
import { deadLetterTopic } from './topics';

/** Headers added to a dead-lettered message (its value, key and own headers are kept as they came). */
export const DeadLetterHeaders = {
  /** `malformed` (not a valid event of its topic) or `handler-failed` (maxAttempts reached). */
  reason: 'x-dead-letter-reason',
  error: 'x-dead-letter-error',
  topic: 'x-dead-letter-topic',
  partition: 'x-dead-letter-partition',
  offset: 'x-dead-letter-offset',
  consumerGroup: 'x-dead-letter-consumer-group',
  attempts: 'x-dead-letter-attempts',
} as const;

const MAX_ERROR_HEADER_LENGTH = 2_000;

/**
 * The message to publish to `<topic>.DLQ` for one that cannot be handled: the original key, value
 * and headers, plus headers saying why, where it came from and who gave up on it. Every consumer
 * that parks messages (the kit's event consumer, the transcoder worker, the operator's intake)
 * builds it here, so the DLQ looks the same whoever wrote to it.
 */
export function deadLetterMessage(
  message: IncomingMessage,
  why: { reason: 'malformed' | 'handler-failed'; error: unknown; consumerGroup: string; attempts: number },
): OutgoingMessage {
  const text = why.error instanceof Error ? why.error.message : String(why.error);
  return {
    topic: deadLetterTopic(message.topic),
    key: message.key ?? '',
    value: message.value,
    headers: {
      ...message.headers,
      [DeadLetterHeaders.reason]: why.reason,
      [DeadLetterHeaders.error]: text.slice(0, MAX_ERROR_HEADER_LENGTH),
      [DeadLetterHeaders.topic]: message.topic,
      [DeadLetterHeaders.partition]: String(message.partition),
      [DeadLetterHeaders.offset]: message.offset,
      [DeadLetterHeaders.consumerGroup]: why.consumerGroup,
      [DeadLetterHeaders.attempts]: String(why.attempts),
    },
  };
}
