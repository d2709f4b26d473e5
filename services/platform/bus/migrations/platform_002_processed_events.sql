-- Effectively-once consumption: a consumer group records each event id here in the same
-- transaction as the event's effect, so a redelivered event finds its row and is skipped.
CREATE TABLE platform_processed_events (
  consumer_group text        NOT NULL,
  -- text, not uuid: events from producers outside the outbox (e.g. the operator) may use other ids.
  event_id       text        NOT NULL,
  processed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);
