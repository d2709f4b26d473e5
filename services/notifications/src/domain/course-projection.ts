import type { Queryable } from '@moocflix/platform/db';
import type { EventData, Topics } from '@moocflix/platform/events';
import { markCourseDeleted, saveKnownCourse } from '../data/projection-repository';

/** Course titles for the messages, and owners (Course-Creation, Course-Update, Course-Deletion). */
export async function recordCourse(
  db: Queryable,
  course: EventData<typeof Topics.CourseCreation> | EventData<typeof Topics.CourseUpdate>,
): Promise<void> {
  await saveKnownCourse(db, {
    courseId: course.courseId,
    instructorId: course.instructorId,
    title: course.title,
  });
}

export async function recordCourseDeletion(
  db: Queryable,
  deletion: EventData<typeof Topics.CourseDeletion>,
): Promise<void> {
  await markCourseDeleted(db, deletion.courseId, deletion.instructorId);
}
