-- The course projection learns whether a course is published, so that content, assessments and
-- notifications apply the same access rule as courses (docs/access-rules.md): an unpublished course
-- exists only for its owner and admins. NULL: no Course-Creation/Update seen yet (the course is known
-- from an enrollment only), read as published — enrolling needed it visible. `version` is the
-- course's version of the facts stored (Course-Creation is version 1): Course-Creation and
-- Course-Update are separate topics and may arrive out of order, an older one never wins.
ALTER TABLE projected_courses ADD COLUMN published boolean;
ALTER TABLE projected_courses ADD COLUMN version integer NOT NULL DEFAULT 0;
