-- A video is `playable` between `transcoding` and `ready`: its transcoder published a preview (the
-- smallest rendition, still growing) that is served until the full ladder is ready.
ALTER TABLE videos DROP CONSTRAINT IF EXISTS videos_status_check;
ALTER TABLE videos ADD CONSTRAINT videos_status_check
  CHECK (status IN ('uploaded', 'queued', 'transcoding', 'playable', 'ready', 'failed'));
