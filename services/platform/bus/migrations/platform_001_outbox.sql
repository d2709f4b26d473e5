-- Transactional outbox: a service inserts its event here in the same transaction as the
-- business row; the OutboxRelay publishes rows in seq order and marks them published.
CREATE TABLE platform_outbox (
  seq          bigserial   PRIMARY KEY,
  event_id     uuid        NOT NULL UNIQUE,
  topic        text        NOT NULL,
  -- The Kafka key: the event's subject (aggregate id), so one entity's events share a partition.
  message_key  text        NOT NULL,
  event        jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts     integer     NOT NULL DEFAULT 0,
  last_error   text
);

-- The relay's claim query reads only unpublished rows, in seq order.
CREATE INDEX platform_outbox_unpublished ON platform_outbox (seq) WHERE published_at IS NULL;
-- The retention sweep deletes published rows by age.
CREATE INDEX platform_outbox_published_at ON platform_outbox (published_at) WHERE published_at IS NOT NULL;
