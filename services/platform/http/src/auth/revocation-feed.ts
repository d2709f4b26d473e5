import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { EventBus, Subscription } from '@moocflix/platform-bus';
import { parseEvent } from '@moocflix/platform-bus';
import { Topics } from '@moocflix/platform-bus';
import type { RevocationList } from './types';

export interface RevocationFeedOptions {
  bus: EventBus;
  revocations: RevocationList;
  /**
   * Base of the consumer group id, usually the service or process name. The feed appends the host,
   * pid and a random suffix: every instance must see EVERY revocation, so instances must never
   * share a group (sharing would split the revocations between them).
   */
  groupId: string;
  logger: Logger;
}

export interface RevocationFeed extends Subscription {
  /** The instance-unique consumer group actually used. */
  readonly groupId: string;
}

/**
 * Keeps `revocations` in step with the Session-Revoked topic — how a logged-out token dies in
 * every service within seconds. A new group starts from the earliest retained event, so a freshly
 * started instance learns the revocations still in force (the list skips those already expired);
 * the topic's retention must therefore exceed the access-token lifetime.
 */
export async function startRevocationFeed(options: RevocationFeedOptions): Promise<RevocationFeed> {
  const { bus, revocations, logger } = options;
  const groupId = instanceGroupId(options.groupId);
  const subscription = await bus.subscribe({
    groupId,
    topics: [Topics.SessionRevoked],
    startFrom: 'earliest',
    handler: async (message) => {
      let event;
      try {
        event = parseEvent(Topics.SessionRevoked, message.value);
      } catch (err) {
        // Redelivering a malformed event cannot fix it, and a per-instance group has no business
        // dead-lettering (every instance would): log it loudly and move on.
        logger.error(
          { err, partition: message.partition, offset: message.offset },
          'auth: malformed Session-Revoked event skipped',
        );
        return;
      }
      const { userId, tokenId, issuedAtOrBefore, expiresAt, reason } = event.data;
      if (tokenId === undefined && issuedAtOrBefore === undefined) {
        logger.error(
          { eventId: event.id, userId, reason },
          'auth: Session-Revoked event names neither a token nor a cut-off',
        );
        return;
      }
      if (tokenId !== undefined) revocations.revokeToken(tokenId, expiresAt);
      if (issuedAtOrBefore !== undefined) revocations.revokeUserTokens(userId, issuedAtOrBefore, expiresAt);
      logger.debug({ eventId: event.id, userId, reason }, 'auth: revocation applied');
    },
  });
  logger.info({ groupId }, 'auth: revocation feed started');
  return { groupId, close: () => subscription.close() };
}

function instanceGroupId(base: string): string {
  return `${base}-revocations-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
