-- The instructor's name kept on the course row, so the catalogue shows it without a lookup per
-- course (a correlated lookup per row cost the course list about a tenth of its throughput). The
-- users projection's consumer writes it on every newer snapshot of the instructor; a course created
-- before the instructor's events arrived has NULL here, and reads fall back to known_users for it.
ALTER TABLE courses ADD COLUMN instructor_name text;

UPDATE courses SET instructor_name = known_users.name
  FROM known_users WHERE known_users.id = courses.instructor_id;
