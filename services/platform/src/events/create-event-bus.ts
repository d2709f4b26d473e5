import type { Logger } from 'pino';
import type { EventBus } from './bus';
import { sharedInProcessBus } from './in-process-bus';
import { KafkaEventBus } from './kafka-bus';

/** Kafka when brokers are configured (KAFKA_BROKERS), else the process-wide in-process bus of `moocflix dev`. */
export function createEventBus(options: { kafkaBrokers?: string[]; clientId: string; logger: Logger }): EventBus {
  const { kafkaBrokers, clientId, logger } = options;
  if (kafkaBrokers && kafkaBrokers.length > 0) return new KafkaEventBus({ brokers: kafkaBrokers, clientId, logger });
  return sharedInProcessBus(logger);
}
