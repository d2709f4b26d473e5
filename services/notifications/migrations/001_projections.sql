-- What the notifications need to know from other services' events (never a synchronous call).

-- Course titles and owners (Course-*), for readable messages.
CREATE TABLE known_courses (
  course_id     text        PRIMARY KEY,
  instructor_id text        NOT NULL,
  title         text,
  deleted       boolean     NOT NULL DEFAULT false,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Who is enrolled where (Student-Enrolled): a new assessment is announced to the ACTIVE students.
CREATE TABLE known_enrollments (
  course_id  text        NOT NULL,
  student_id text        NOT NULL,
  status     text        NOT NULL CHECK (status IN ('active', 'inactive')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (course_id, student_id)
);

-- Transcoding-Completed names no uploader; Transcoding-Request does. The two arrive on different topics,
-- so in either order: whichever comes second completes the row and the uploader is notified.
CREATE TABLE transcoding_requests (
  request_id          text        PRIMARY KEY,
  video_id            text        NOT NULL,
  requested_by        text,
  completion_event_id text,
  completion          jsonb,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
