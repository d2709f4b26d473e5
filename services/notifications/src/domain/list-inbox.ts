import { cursorField, cursorSchema, decodeCursor, encodeCursor, type Page } from '@moocflix/platform-http';
import { countUnread, listInbox as selectInbox } from '../data/notification-repository';
import type { Notification } from './notification';
import type { UseCaseContext } from './use-case-context';

const cursor = cursorSchema({ t: cursorField.timestamp(), id: cursorField.uuid() });

export type Inbox = Page<Notification> & { unreadCount: number };

/** The caller's own notifications, newest first, optionally only the unread ones; plus how many are unread. */
export async function listInbox(
  ctx: UseCaseContext,
  recipientId: string,
  request: { unreadOnly: boolean; cursor?: string; limit: number },
): Promise<Inbox> {
  const position = decodeCursor(cursor, request.cursor);
  const [rows, unreadCount] = await Promise.all([
    selectInbox(ctx.pool, recipientId, {
      unreadOnly: request.unreadOnly,
      after: position && { createdAt: position.t, id: position.id },
      // One extra row only tells whether another page exists.
      limit: request.limit + 1,
    }),
    countUnread(ctx.pool, recipientId),
  ]);
  const items = rows.slice(0, request.limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > request.limit && last
      ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id })
      : null;
  return { items, nextCursor, unreadCount };
}
