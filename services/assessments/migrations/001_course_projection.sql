-- Local projections of the courses service's events (never a synchronous call): who owns a course and
-- who is enrolled in it. They may lag the courses service by a moment.
CREATE TABLE known_courses (
  course_id     text        PRIMARY KEY,
  instructor_id text        NOT NULL,
  deleted       boolean     NOT NULL DEFAULT false,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE known_enrollments (
  course_id  text        NOT NULL,
  student_id text        NOT NULL,
  status     text        NOT NULL CHECK (status IN ('active', 'inactive')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (course_id, student_id)
);
