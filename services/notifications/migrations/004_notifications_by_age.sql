-- moocflix:no-transaction
-- The retention sweep deletes the oldest notifications of every inbox at once: without this index
-- each sweep would read the whole table. Built CONCURRENTLY, so a large inbox table keeps taking
-- notifications while it is built; dropped first, in case an earlier build failed half-way (an
-- INVALID index is left behind then).
DROP INDEX CONCURRENTLY IF EXISTS notifications_by_age;
CREATE INDEX CONCURRENTLY notifications_by_age ON notifications (created_at);
