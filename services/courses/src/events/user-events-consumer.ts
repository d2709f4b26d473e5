import { createEventConsumer, Topics, type EventConsumer, type EventData } from '@moocflix/platform-bus';
import type { ServiceContext } from '@moocflix/platform-runtime';
import { recordUser } from '../domain/record-user';

/** The consumer group; the kit records processed event ids per group, which makes redeliveries no-ops. */
export const USER_EVENTS_GROUP = 'courses';

const knownUser = (data: EventData<typeof Topics.UserCreation> | EventData<typeof Topics.UserUpdate>) => ({
  id: data.userId,
  email: data.email,
  name: data.name,
  role: data.role,
  status: data.status,
});

/** Builds the local users projection from the users service's events (never a synchronous call). */
export function createUserEventsConsumer(ctx: ServiceContext): EventConsumer {
  return createEventConsumer({
    bus: ctx.bus,
    pool: ctx.pool,
    logger: ctx.logger,
    groupId: USER_EVENTS_GROUP,
    handlers: {
      [Topics.UserCreation]: (event, tx) => recordUser(tx, ctx.name, knownUser(event.data), new Date(event.data.createdAt)),
      [Topics.UserUpdate]: (event, tx) => recordUser(tx, ctx.name, knownUser(event.data), new Date(event.data.updatedAt)),
    },
  });
}
