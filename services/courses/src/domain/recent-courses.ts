import type { Course } from './course';

/**
 * Courses this process recently read to enroll someone, by id (least recently used dropped first).
 *
 * Only ever a HINT for enrollStudent's fast path: a decision taken on a remembered course is
 * written with saveEnrollmentIfUnchanged, which writes nothing unless the course is still at the
 * remembered version and not deleted. So a stale entry (another replica updated the course) costs
 * one wasted statement, never a wrong enrollment; and only a "go ahead" is ever taken from here —
 * a refusal is always decided on a fresh read.
 */
export class RecentCourses {
  private readonly courses = new Map<string, Course>();

  constructor(private readonly maxEntries = 10_000) {}

  get(id: string): Course | undefined {
    const course = this.courses.get(id);
    if (course) {
      // Map keeps insertion order: re-inserting marks the entry as the most recently used.
      this.courses.delete(id);
      this.courses.set(id, course);
    }
    return course;
  }

  remember(course: Course): void {
    this.courses.delete(course.id);
    this.courses.set(course.id, course);
    if (this.courses.size > this.maxEntries) this.courses.delete(this.courses.keys().next().value!);
  }

  forget(id: string): void {
    this.courses.delete(id);
  }

  get size(): number {
    return this.courses.size;
  }
}
