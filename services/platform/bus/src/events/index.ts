import { join } from 'node:path';

export * from './topics';
export * from './schemas';
export * from './envelope';
export * from './bus';
export { enqueueEvent, OUTBOX_CHANNEL, writeWithEvent, type Write } from './outbox';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
export { reportOutboxBacklog } from './outbox-metrics';
export { DeadLetterHeaders, deadLetterMessage } from './dead-letter';
export {
  createEventConsumer,
  type EventConsumer,
  type EventConsumerOptions,
  type EventHandler,
  type HandlerContext,
  type EventHandlers,
} from './event-consumer';
export { KafkaEventBus, type KafkaEventBusOptions } from './kafka-bus';
export { InProcessEventBus, type InProcessEventBusOptions } from './in-process-bus';
export { PostgresEventBus, BUS_MIGRATIONS_DIR, type PostgresEventBusOptions } from './postgres-bus';
export { createEventBus } from './create-event-bus';

/**
 * The kit's own migrations (outbox, processed events). Services apply them before theirs:
 * `runMigrations(pool, [KIT_MIGRATIONS_DIR, join(__dirname, '../migrations')])`.
 */
export const KIT_MIGRATIONS_DIR = join(__dirname, '../../migrations');
