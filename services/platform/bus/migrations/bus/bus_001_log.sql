-- The durable event bus of `make dev` (PostgresEventBus), in a database of its own.
--
-- One append-only log per topic: bus_messages keyed by (topic, message_offset). Offsets are taken
-- from bus_topics.next_offset under that row's lock, which the publishing transaction holds until it
-- commits: a second publisher on the same topic waits, so offsets become visible in order and a
-- reader never sees offset n+1 before offset n (no gap that fills in later and would be skipped).
CREATE TABLE bus_topics (
  topic       text PRIMARY KEY,
  next_offset bigint NOT NULL DEFAULT 0
);

CREATE TABLE bus_messages (
  topic          text NOT NULL,
  message_offset bigint NOT NULL,
  message_key    text,
  value          text NOT NULL,
  headers        jsonb NOT NULL DEFAULT '{}',
  published_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, message_offset)
);

-- The retention sweep deletes by age.
CREATE INDEX bus_messages_published_at ON bus_messages (published_at);

-- Each consumer group's committed position on each topic: the offset of the next message to deliver.
-- Written after the handler resolved (at-least-once); updated_at lets the sweep forget groups that
-- stopped consuming long ago (the revocation feed makes a new group per process start).
CREATE TABLE bus_positions (
  group_id    text NOT NULL,
  topic       text NOT NULL,
  next_offset bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic)
);
