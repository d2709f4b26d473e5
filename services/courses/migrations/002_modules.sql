-- A course's modules, ordered by a dense 1..n position. The unique constraint is deferred to commit
-- because inserting, moving or deleting a module shifts its neighbours' positions one statement at
-- a time, passing through states where two rows briefly share a position.
CREATE TABLE course_modules (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  course_id   uuid        NOT NULL REFERENCES courses (id),
  title       text        NOT NULL,
  description text        NOT NULL DEFAULT '',
  position    integer     NOT NULL CHECK (position > 0),
  -- A video of the content service; a reference only (services share no tables).
  video_id    text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT course_modules_position_unique UNIQUE (course_id, position) DEFERRABLE INITIALLY DEFERRED
);
