-- One row per (course, student): enrolling again never adds a row. A deactivated student's
-- enrollments become 'inactive' and stop counting against the course's capacity.
CREATE TABLE enrollments (
  course_id   uuid        NOT NULL REFERENCES courses (id),
  student_id  text        NOT NULL,
  status      text        NOT NULL CHECK (status IN ('active', 'inactive')),
  -- Millisecond precision for keyset cursors (see courses.created_at).
  enrolled_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (course_id, student_id)
);

-- Capacity checks count a course's active seats; the owner's list pages by enrolment time.
CREATE INDEX enrollments_by_course ON enrollments (course_id, enrolled_at, student_id);
-- A student's own list, and deactivating all of a student's enrollments.
CREATE INDEX enrollments_by_student ON enrollments (student_id, enrolled_at, course_id);
