-- A started attempt: what lets the server enforce an assessment's time limit. The clock starts when the
-- student asks for the attempt (POST /:id/attempts), not when the client says so, and the submit that
-- ends it is linked here. Attempt numbers are shared with submissions: an attempt started and never
-- submitted still used its number, so it counts toward max_attempts.
CREATE TABLE attempts (
  assessment_id uuid        NOT NULL REFERENCES assessments (id),
  student_id    text        NOT NULL,
  attempt       integer     NOT NULL CHECK (attempt > 0),
  started_at    timestamptz NOT NULL,
  -- started_at + the time limit, capped at the due date; null when the assessment has no time limit.
  expires_at    timestamptz,
  -- The submission that ended the attempt; null while it is open (or after it expired unsubmitted).
  submission_id uuid        UNIQUE REFERENCES submissions (id),
  PRIMARY KEY (assessment_id, student_id, attempt),
  CHECK (expires_at IS NULL OR expires_at >= started_at)
);
