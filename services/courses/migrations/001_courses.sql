-- Courses. Deletion is soft (deleted_at) so Course-Deletion events and enrollments keep pointing
-- at a row; every read filters deleted courses out.
CREATE TABLE courses (
  id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  -- User ids come from the users service's tokens; text so we assume nothing about their format.
  instructor_id        text        NOT NULL,
  title                text        NOT NULL,
  description          text        NOT NULL,
  category             text,
  level                text        CHECK (level IN ('beginner', 'intermediate', 'advanced')),
  language             text,
  published            boolean     NOT NULL DEFAULT false,
  -- NULL = unlimited seats.
  capacity             integer     CHECK (capacity > 0),
  enrollment_opens_at  timestamptz,
  enrollment_closes_at timestamptz,
  -- Optimistic concurrency: the ETag of the course; +1 on every update.
  version              integer     NOT NULL DEFAULT 1,
  -- Millisecond precision: keyset cursors carry these values through JavaScript Dates, which would
  -- otherwise drop PostgreSQL's microseconds and make a page skip or repeat rows.
  created_at           timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at           timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  deleted_at           timestamptz,
  -- Full-text search of the catalogue (`?q=`); 'simple' keeps it language-neutral.
  search               tsvector    GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || description)) STORED,
  CHECK (enrollment_opens_at IS NULL OR enrollment_closes_at IS NULL OR enrollment_opens_at < enrollment_closes_at)
);

-- The catalogue's keyset orders (newest first by default, or by title), with or without filters.
CREATE INDEX courses_by_created ON courses (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX courses_by_title ON courses (title, id) WHERE deleted_at IS NULL;
CREATE INDEX courses_by_instructor ON courses (instructor_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX courses_by_category ON courses (category, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX courses_search ON courses USING gin (search) WHERE deleted_at IS NULL;
