-- The retention sweep deletes the oldest notifications of every inbox at once: without this index
-- each sweep would read the whole table.
CREATE INDEX notifications_by_age ON notifications (created_at);
