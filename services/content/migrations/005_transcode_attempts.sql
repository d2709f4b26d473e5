-- A transcode request is attempted until it ends or runs out of attempts: each attempt has its own
-- id (the first one's is the request id itself), and while the request is in flight the current
-- attempt holds a lease that the transcoder's progress ticks (its heartbeat) renew. A lease that
-- expires means the attempt is lost (worker killed, nobody picked the request up): the content
-- service's sweeper issues the next attempt, or marks the video failed after the last one.
ALTER TABLE videos
  ADD COLUMN attempt_id       uuid,
  ADD COLUMN attempt          integer CHECK (attempt >= 1),
  ADD COLUMN lease_expires_at timestamptz;

-- Rows from before attempts: their request was its own first attempt, so late events of it (which
-- carry no attempt id, read as the request id) still match. An in-flight one gets a lease long
-- enough for a transcoder already working on it to finish, and is retried after that.
UPDATE videos SET attempt_id = request_id, attempt = 1 WHERE request_id IS NOT NULL;
UPDATE videos SET lease_expires_at = now() + interval '30 minutes'
 WHERE status IN ('queued', 'transcoding') AND deleted_at IS NULL;

CREATE INDEX videos_transcode_leases ON videos (lease_expires_at)
  WHERE status IN ('queued', 'transcoding') AND deleted_at IS NULL;
