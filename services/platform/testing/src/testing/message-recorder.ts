import { randomUUID } from 'node:crypto';
import type { EventBus, IncomingMessage, Subscription } from '@moocflix/platform-bus';

/**
 * Test support: a fresh consumer group that keeps every message it receives, as received (no
 * dedupe), so a test can count what really went over the bus.
 */
export async function recordMessages(
  bus: EventBus,
  topics: string[],
  startFrom: 'earliest' | 'latest' = 'latest',
): Promise<{ messages: IncomingMessage[]; close: Subscription['close'] }> {
  const messages: IncomingMessage[] = [];
  const subscription = await bus.subscribe({
    groupId: `recorder-${randomUUID()}`,
    topics,
    startFrom,
    handler: async (message) => {
      messages.push(message);
    },
  });
  return { messages, close: () => subscription.close() };
}
