import { Kafka, logLevel } from 'kafkajs';

/**
 * Commits a fresh consumer group's position at the current end of `topic`, so a worker started with
 * that group handles only what the test publishes from now on — not what other test files left on
 * the shared broker. A topic created a moment ago may not have a known leader yet: retried.
 */
export async function positionGroupAtEnd(brokers: string[], groupId: string, topic: string): Promise<void> {
  const admin = new Kafka({ clientId: `position-${groupId}`, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({
          groupId,
          topic,
          partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
        });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
