-- An assessment and its questions are one document: questions (with their answer keys) are written
-- once at creation and always read whole, so they live in a jsonb array rather than a table.
CREATE TABLE assessments (
  id                 uuid        PRIMARY KEY,
  course_id          text        NOT NULL,
  -- The course owner who created it; access is decided with the course projection's current owner.
  created_by         text        NOT NULL,
  title              text        NOT NULL,
  type               text        NOT NULL CHECK (type IN ('quiz', 'assignment')),
  due_at             timestamptz,
  max_attempts       integer     CHECK (max_attempts > 0),
  grading_method     text        NOT NULL CHECK (grading_method IN ('highest', 'latest', 'first', 'average')),
  time_limit_seconds integer     CHECK (time_limit_seconds > 0),
  questions          jsonb       NOT NULL,
  max_score          numeric     NOT NULL CHECK (max_score > 0),
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- Listing a course's assessments, newest first (keyset on created_at, id).
CREATE INDEX assessments_by_course ON assessments (course_id, created_at DESC, id DESC);
