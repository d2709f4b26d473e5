CREATE TABLE notifications (
  id              uuid        PRIMARY KEY,
  recipient_id    text        NOT NULL,
  type            text        NOT NULL,
  title           text        NOT NULL,
  body            text        NOT NULL,
  data            jsonb       NOT NULL DEFAULT '{}',
  -- The event that caused it. Besides the consumer's processed-events table, this makes a redelivered
  -- event unable to notify the same person twice.
  source_event_id text        NOT NULL,
  created_at      timestamptz NOT NULL,
  read_at         timestamptz,
  CONSTRAINT notifications_once_per_event UNIQUE (source_event_id, recipient_id)
);

-- The inbox, newest first (keyset on created_at, id), and its unread part.
CREATE INDEX notifications_inbox ON notifications (recipient_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (recipient_id, created_at DESC, id DESC) WHERE read_at IS NULL;
