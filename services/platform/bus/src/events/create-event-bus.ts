import type { Logger } from 'pino';
import type { EventBus } from './bus';
import { KafkaEventBus } from './kafka-bus';

/**
 * The Kafka bus of a service started on its own (KAFKA_BROKERS). Without brokers there is nothing
 * to fall back to: a bus in memory would silently cut the service off from every other one. The
 * `make dev` launcher, the one process that runs without Kafka, opens its durable PostgresEventBus
 * itself and hands it to createPlatform.
 */
export function createEventBus(options: { kafkaBrokers?: string[]; clientId: string; logger: Logger }): EventBus {
  const { kafkaBrokers, clientId, logger } = options;
  if (kafkaBrokers && kafkaBrokers.length > 0) return new KafkaEventBus({ brokers: kafkaBrokers, clientId, logger });
  throw new Error(
    'No event bus configured: set KAFKA_BROKERS (host:port, comma-separated). Only `make dev` runs without Kafka, on its embedded PostgreSQL bus.',
  );
}
