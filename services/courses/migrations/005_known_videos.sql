-- Local projection of the content service's videos, built from Video-Uploaded events, so that a
-- module can reference only a video of its own course without calling content synchronously.
-- A video never changes course, so a row is written once and redeliveries are no-ops. Ids are text:
-- they are the content service's, checked here only for equality.
CREATE TABLE known_videos (
  video_id    text        PRIMARY KEY,
  course_id   text        NOT NULL,
  uploader_id text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
