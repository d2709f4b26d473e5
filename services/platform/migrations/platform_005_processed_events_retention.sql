-- The consumer's retention sweep deletes a group's processed ids older than its retention, in
-- chunks, every few minutes (createEventConsumer). The primary key (consumer_group, event_id) would
-- make each chunk read all of the group's rows to find the old ones; this index finds them directly.
-- Built inside the migration's transaction (not CONCURRENTLY): consumers' inserts wait while it is
-- built, once, at the deploy that adds it.
CREATE INDEX platform_processed_events_expiry ON platform_processed_events (consumer_group, processed_at);
