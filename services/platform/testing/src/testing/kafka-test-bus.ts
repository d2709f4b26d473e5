import { randomUUID } from 'node:crypto';
import { KafkaEventBus } from '@moocflix/platform-bus';
import { createLogger } from '@moocflix/platform-core/log';

/** The stack's brokers, set by the integration tier's global setup. */
export function stackKafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers)
    throw new Error(
      'KAFKA_BROKERS is not set: run the integration tests through jest --selectProjects integration',
    );
  return brokers.split(',');
}

/**
 * A Kafka bus on the stack's real broker. The client id is made unique so two test files (or a
 * service and its recorder) never share one.
 */
export function kafkaTestBus(name: string): KafkaEventBus {
  return new KafkaEventBus({
    brokers: stackKafkaBrokers(),
    clientId: `${name}-${randomUUID()}`,
    logger: createLogger(name, process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
}
