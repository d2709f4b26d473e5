import type { Queryable } from '@moocflix/platform/db';
import type { EventData, Topics } from '@moocflix/platform/events';
import {
  markCourseDeleted,
  saveKnownCourse,
  saveKnownEnrollment,
} from '../data/course-projection-repository';

/**
 * The courses service's facts this service decides with: who owns a course and who is enrolled in
 * it. Events of one course share a Kafka key, so each topic's arrive in order; across topics they may
 * not, hence upserts that never undelete a course.
 */
export async function recordCourse(
  db: Queryable,
  course: EventData<typeof Topics.CourseCreation> | EventData<typeof Topics.CourseUpdate>,
): Promise<void> {
  await saveKnownCourse(db, course.courseId, course.instructorId);
}

export async function recordCourseDeletion(
  db: Queryable,
  deletion: EventData<typeof Topics.CourseDeletion>,
): Promise<void> {
  await markCourseDeleted(db, deletion.courseId, deletion.instructorId);
}

export async function recordEnrollment(
  db: Queryable,
  enrollment: EventData<typeof Topics.StudentEnrolled>,
): Promise<void> {
  // The event names the course's owner too: a course whose own event has not arrived yet becomes known.
  await saveKnownCourse(db, enrollment.courseId, enrollment.instructorId);
  await saveKnownEnrollment(db, enrollment.courseId, enrollment.studentId, enrollment.status);
}
