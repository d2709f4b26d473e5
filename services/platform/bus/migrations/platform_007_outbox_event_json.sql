-- The outbox stores each event as the exact JSON text the service built and validated (json, not
-- jsonb): nothing reads inside it on a hot path, and jsonb paid twice for every event, building its
-- binary form on insert and printing it back to text for the relay, which then parsed and
-- re-serialized it in Node. Now the relay reads `event::text` and publishes those bytes as they are.
-- `event->'data'` and friends still work on json for whoever investigates a row by hand.
ALTER TABLE platform_outbox ALTER COLUMN event TYPE json USING event::json;
