import pino from 'pino';
import { createEventBus } from './create-event-bus';

const logger = pino({ level: 'silent' });

describe('createEventBus', () => {
  it('is Kafka when brokers are configured', async () => {
    const bus = createEventBus({ kafkaBrokers: ['127.0.0.1:1'], clientId: 'test', logger });
    expect(bus.kind).toBe('kafka');
    await bus.close();
  });

  it('refuses to make a bus without brokers, instead of falling back to one nobody else can reach', () => {
    expect(() => createEventBus({ clientId: 'test', logger })).toThrow(/KAFKA_BROKERS/);
    expect(() => createEventBus({ kafkaBrokers: [], clientId: 'test', logger })).toThrow(/KAFKA_BROKERS/);
  });
});
