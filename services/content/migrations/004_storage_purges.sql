-- A video of a deleted course is kept as a tombstone (404 everywhere, never undeleted): a late
-- transcoder completion can still find it and have what its run wrote purged too.
ALTER TABLE videos ADD COLUMN deleted_at timestamptz;

-- Object-storage prefixes to delete: a deleted video's folder, the outputs a re-transcode replaced,
-- the partial outputs of a failed run. Recorded in the transaction that stops referencing them and
-- purged after commit, so a crash between the two is finished by the next sweep; a failed purge is
-- retried with backoff. `scheduling_id` changes when a prefix is scheduled again while a purge of it
-- runs, so that purge does not drop the newer request.
CREATE TABLE storage_purges (
  prefix          text        PRIMARY KEY,
  reason          text        NOT NULL,
  scheduling_id   uuid        NOT NULL,
  scheduled_at    timestamptz NOT NULL DEFAULT now(),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  attempts        integer     NOT NULL DEFAULT 0,
  last_error      text
);

CREATE INDEX storage_purges_due ON storage_purges (next_attempt_at);
