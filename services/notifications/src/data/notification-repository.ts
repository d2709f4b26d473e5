import type { Queryable } from '@moocflix/platform-db';
import type { Notification, NotificationMessage, NotificationType } from '../domain/notification';

interface NotificationRow {
  id: string;
  type: NotificationType;
  title: string;
  body: string;
  data: Notification['data'];
  read_at: Date | null;
  created_at: Date;
}

const COLUMNS = 'id, type, title, body, data, read_at, created_at';

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  type: row.type,
  title: row.title,
  body: row.body,
  data: row.data,
  read: row.read_at !== null,
  readAt: row.read_at,
  createdAt: row.created_at,
});

export interface Delivery {
  /** The event that causes it: the same event never notifies the same person twice. */
  sourceEventId: string;
  createdAt: Date;
  message: NotificationMessage;
}

/** Delivers to one recipient; a second delivery of the same event to them is a no-op. */
export async function deliverNotification(
  db: Queryable,
  recipientId: string,
  delivery: Delivery,
): Promise<void> {
  const { message } = delivery;
  await db.query(
    `INSERT INTO notifications (id, recipient_id, type, title, body, data, source_event_id, created_at)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT ON CONSTRAINT notifications_once_per_event DO NOTHING`,
    [
      recipientId,
      message.type,
      message.title,
      message.body,
      JSON.stringify(message.data),
      delivery.sourceEventId,
      delivery.createdAt,
    ],
  );
}

/** Delivers to every student actively enrolled in the course, in one statement. */
export async function deliverToActiveStudents(
  db: Queryable,
  courseId: string,
  delivery: Delivery,
): Promise<void> {
  const { message } = delivery;
  await db.query(
    `INSERT INTO notifications (id, recipient_id, type, title, body, data, source_event_id, created_at)
     SELECT gen_random_uuid(), student_id, $2, $3, $4, $5, $6, $7
       FROM projected_enrollments WHERE course_id = $1 AND status = 'active'
     ON CONFLICT ON CONSTRAINT notifications_once_per_event DO NOTHING`,
    [
      courseId,
      message.type,
      message.title,
      message.body,
      JSON.stringify(message.data),
      delivery.sourceEventId,
      delivery.createdAt,
    ],
  );
}

/** Keyset position: the last notification of the previous page (newest first). */
export interface InboxPosition {
  createdAt: string;
  id: string;
}

export async function listInbox(
  db: Queryable,
  recipientId: string,
  page: { unreadOnly: boolean; after?: InboxPosition; limit: number },
): Promise<Notification[]> {
  const { rows } = await db.query<NotificationRow>(
    `SELECT ${COLUMNS} FROM notifications
      WHERE recipient_id = $1 AND (NOT $2 OR read_at IS NULL)
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [recipientId, page.unreadOnly, page.after?.createdAt ?? null, page.after?.id ?? null, page.limit],
  );
  return rows.map(toNotification);
}

export async function countUnread(db: Queryable, recipientId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM notifications WHERE recipient_id = $1 AND read_at IS NULL',
    [recipientId],
  );
  return rows[0]!.count;
}

/** Marks one of the recipient's notifications read (keeping the first read time); undefined when it is not theirs. */
export async function markRead(
  db: Queryable,
  recipientId: string,
  id: string,
  at: Date,
): Promise<Notification | undefined> {
  const { rows } = await db.query<NotificationRow>(
    `UPDATE notifications SET read_at = coalesce(read_at, $3) WHERE id = $1 AND recipient_id = $2 RETURNING ${COLUMNS}`,
    [id, recipientId, at],
  );
  return rows[0] && toNotification(rows[0]);
}

export async function markAllRead(db: Queryable, recipientId: string, at: Date): Promise<number> {
  const { rowCount } = await db.query(
    'UPDATE notifications SET read_at = $2 WHERE recipient_id = $1 AND read_at IS NULL',
    [recipientId, at],
  );
  return rowCount ?? 0;
}

/**
 * Deletes up to `limit` notifications created before `cutoff`, oldest first; returns how many. Small
 * chunks: a sweep never holds many row locks or one long transaction against the inbox's writers.
 */
export async function deleteNotificationsCreatedBefore(
  db: Queryable,
  cutoff: Date,
  limit: number,
): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM notifications WHERE id IN (
       SELECT id FROM notifications WHERE created_at < $1 ORDER BY created_at LIMIT $2
       FOR UPDATE SKIP LOCKED)`,
    [cutoff, limit],
  );
  return rowCount ?? 0;
}
