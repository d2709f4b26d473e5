import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { describeBusContract } from './bus-contract';
import { KafkaEventBus } from './kafka-bus';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const brokers = (): string[] => process.env.KAFKA_BROKERS!.split(',');

describeBusContract(
  'Kafka (real broker)',
  () => new KafkaEventBus({ brokers: brokers(), clientId: 'contract', logger, redeliveryDelayMs: 50 }),
  30_000,
);

describe('KafkaEventBus specifics', () => {
  it('creates topics with the configured partitions, idempotently', async () => {
    const bus = new KafkaEventBus({ brokers: brokers(), clientId: 'topics-test', logger, partitions: 4 });
    const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
    try {
      const topic = `topics-${randomUUID()}`;
      await bus.ensureTopics([topic, topic]);
      await bus.ensureTopics([topic]);
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0]?.partitions).toHaveLength(4);
    } finally {
      await admin.disconnect();
      await bus.close();
    }
  });

  it('answers ping true with a broker, false quickly without one', async () => {
    const live = new KafkaEventBus({ brokers: brokers(), clientId: 'ping-test', logger });
    const dead = new KafkaEventBus({ brokers: ['127.0.0.1:1'], clientId: 'ping-test', logger });
    try {
      expect(await live.ping()).toBe(true);
      const started = Date.now();
      expect(await dead.ping()).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await Promise.all([live.close(), dead.close()]);
    }
  });
});

describe('KafkaEventBus with a handler slower than the session timeout', () => {
  it('keeps the member alive: the message is handled once, not handed to another member mid-way', async () => {
    // 6 s is the broker's minimum session timeout; the handler takes 2.5× that.
    const options = { brokers: brokers(), logger, sessionTimeoutMs: 6_000 };
    const producer = new KafkaEventBus({ ...options, clientId: 'slow-producer' });
    const first = new KafkaEventBus({ ...options, clientId: 'slow-a' });
    const second = new KafkaEventBus({ ...options, clientId: 'slow-b' });
    const topic = `slow-${randomUUID()}`;
    const groupId = `slow-${randomUUID()}`;
    const deliveries: string[] = [];
    const slowHandler = (member: string) => async () => {
      deliveries.push(member);
      await new Promise((resolve) => setTimeout(resolve, 15_000));
    };
    try {
      await producer.ensureTopics([topic]);
      const a = await first.subscribe({ groupId, topics: [topic], handler: slowHandler('a') });
      const b = await second.subscribe({ groupId, topics: [topic], handler: slowHandler('b') });
      await producer.publish([{ topic, key: 'video-1', value: 'transcode me' }]);
      await new Promise((resolve) => setTimeout(resolve, 25_000));
      expect(deliveries).toHaveLength(1);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await Promise.all([producer.close(), first.close(), second.close()]);
    }
  }, 90_000);
});
