import { problems } from '@moocflix/platform-core/errors';
import { markAllRead, markRead } from '../data/notification-repository';
import type { Notification } from './notification';
import type { UseCaseContext } from './use-case-context';

/** Marks one of the caller's notifications read (again is fine). Someone else's is 404: its id says nothing. */
export async function markNotificationRead(
  ctx: UseCaseContext,
  recipientId: string,
  id: string,
): Promise<Notification> {
  const notification = await markRead(ctx.pool, recipientId, id, ctx.now());
  if (!notification) throw problems.notFound('Notification');
  return notification;
}

export async function markInboxRead(ctx: UseCaseContext, recipientId: string): Promise<{ updated: number }> {
  return { updated: await markAllRead(ctx.pool, recipientId, ctx.now()) };
}
