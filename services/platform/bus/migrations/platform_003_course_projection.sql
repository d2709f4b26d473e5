-- The local projection of the courses service's events (never a synchronous call) that content,
-- assessments and notifications decide with: who owns a course, its title, whether it was deleted,
-- and who is enrolled in it. It may lag the courses service by a moment. Written only by
-- `@moocflix/platform/projections`; every service gets the (empty) tables, only those consuming the
-- course events fill them.
CREATE TABLE projected_courses (
  course_id     text        PRIMARY KEY,
  instructor_id text        NOT NULL,
  -- Null until a Course-Creation or Course-Update names it (Student-Enrolled does not).
  title         text,
  deleted       boolean     NOT NULL DEFAULT false,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projected_enrollments (
  course_id  text        NOT NULL,
  student_id text        NOT NULL,
  status     text        NOT NULL CHECK (status IN ('active', 'inactive')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (course_id, student_id)
);
