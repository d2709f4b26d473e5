-- moocflix:no-transaction
-- The consumer's retention sweep deletes a group's processed ids older than its retention, in
-- chunks, every few minutes (createEventConsumer). The primary key (consumer_group, event_id) would
-- make each chunk read all of the group's rows to find the old ones; this index finds them directly.
-- Built CONCURRENTLY so consumers keep inserting while it is built; dropped first, in case an
-- earlier build failed half-way (an INVALID index is left behind then).
DROP INDEX CONCURRENTLY IF EXISTS platform_processed_events_expiry;
CREATE INDEX CONCURRENTLY platform_processed_events_expiry ON platform_processed_events (consumer_group, processed_at);
