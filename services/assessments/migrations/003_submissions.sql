CREATE TABLE submissions (
  id              uuid        PRIMARY KEY,
  assessment_id   uuid        NOT NULL REFERENCES assessments (id),
  student_id      text        NOT NULL,
  attempt         integer     NOT NULL CHECK (attempt > 0),
  status          text        NOT NULL CHECK (status IN ('submitted', 'graded')),
  answers         jsonb       NOT NULL,
  -- {questionId: points earned | null}; null = an essay waiting for its grader.
  question_scores jsonb       NOT NULL,
  -- The final score; null until every question is graded.
  score           numeric,
  max_score       numeric     NOT NULL,
  feedback        text,
  submitted_at    timestamptz NOT NULL DEFAULT now(),
  graded_at       timestamptz,
  graded_by       text,
  CHECK ((status = 'graded') = (score IS NOT NULL)),
  -- Attempt numbers are dense per student: a second concurrent submit can never take the same one.
  UNIQUE (assessment_id, student_id, attempt)
);

-- Every grading decision, automatic or manual, including regrades: who changed which score when.
CREATE TABLE grade_events (
  id              bigserial   PRIMARY KEY,
  submission_id   uuid        NOT NULL REFERENCES submissions (id),
  graded_by       text        NOT NULL,
  previous_score  numeric,
  score           numeric     NOT NULL,
  question_scores jsonb       NOT NULL,
  feedback        text,
  graded_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX grade_events_by_submission ON grade_events (submission_id, id);
