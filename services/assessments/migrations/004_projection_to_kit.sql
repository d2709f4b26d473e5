-- The course projection moved into the kit (@moocflix/platform/projections, tables projected_courses
-- and projected_enrollments from platform_003): carry over what this service had learnt, then drop
-- its own copy.
INSERT INTO projected_courses (course_id, instructor_id, deleted, updated_at)
  SELECT course_id, instructor_id, deleted, updated_at FROM known_courses
  ON CONFLICT (course_id) DO NOTHING;
INSERT INTO projected_enrollments (course_id, student_id, status, updated_at)
  SELECT course_id, student_id, status, updated_at FROM known_enrollments
  ON CONFLICT (course_id, student_id) DO NOTHING;
DROP TABLE known_enrollments;
DROP TABLE known_courses;
