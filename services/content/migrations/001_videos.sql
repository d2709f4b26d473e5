-- One row per uploaded video. A row exists only for an upload that was stored AND probed as a
-- video: a refused or failed upload leaves no row (and its object is deleted).
CREATE TABLE videos (
  id                  uuid        PRIMARY KEY,
  course_id           text        NOT NULL,
  title               text        NOT NULL,
  uploaded_by         text        NOT NULL,
  status              text        NOT NULL CHECK (status IN ('uploaded', 'queued', 'transcoding', 'ready', 'failed')),
  progress            integer     NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  -- The source as stored and probed.
  source_key          text        NOT NULL,
  -- The demuxer the probe identified; the transcoder forces it (`ffmpeg -f`).
  source_format       text        NOT NULL,
  original_filename   text,
  size_bytes          bigint      NOT NULL,
  checksum_sha256     text        NOT NULL,
  duration_seconds    double precision,
  width               integer     NOT NULL,
  height              integer     NOT NULL,
  video_codec         text        NOT NULL,
  audio_codec         text,
  -- The current transcoding request: completions and progress for any other request are ignored.
  request_id          uuid,
  requested_by        text,
  requested_at        timestamptz,
  output_prefix       text,
  -- The outputs of the last successful transcode (kept, and served, while a re-transcode runs):
  -- the run's output folder, its master playlist and poster inside it, and its renditions.
  playback_prefix     text,
  master_playlist_key text,
  poster_key          text,
  renditions          jsonb       NOT NULL DEFAULT '[]',
  error               text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX videos_by_course ON videos (course_id, created_at);
