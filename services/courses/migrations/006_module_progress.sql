-- A learner's progress in one module: where the player last was, and whether they completed it.
-- One row per (module, student): the player's repeated PUTs overwrite it. Deleting a module deletes
-- its progress (it no longer counts towards the course's total).
CREATE TABLE module_progress (
  module_id        uuid             NOT NULL REFERENCES course_modules (id) ON DELETE CASCADE,
  student_id       text             NOT NULL,
  course_id        uuid             NOT NULL REFERENCES courses (id),
  -- Seconds into the module's video; bounded like the API (a day) so a bad client cannot store noise.
  position_seconds double precision NOT NULL CHECK (position_seconds >= 0 AND position_seconds <= 86400),
  -- Set on the first write that says completed; never cleared by a later write (see progress use case).
  completed_at     timestamptz,
  updated_at       timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (module_id, student_id)
);

-- A learner's progress in one course (the course page, the player, the "My courses" summary).
CREATE INDEX module_progress_by_student_course ON module_progress (student_id, course_id, updated_at);
