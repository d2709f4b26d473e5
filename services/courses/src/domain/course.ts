import type { EventData, Topics } from '@moocflix/platform-bus';

export const COURSE_LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
export type CourseLevel = (typeof COURSE_LEVELS)[number];

/** Catalogue orders: newest first (default), oldest first, by title A→Z or Z→A. */
export const COURSE_SORTS = ['-createdAt', 'createdAt', 'title', '-title'] as const;
export type CourseSort = (typeof COURSE_SORTS)[number];

/** A course as the API shows it. */
export interface Course {
  id: string;
  title: string;
  description: string;
  instructorId: string;
  /** From the users projection (their events); null until it has heard of the instructor. */
  instructorName: string | null;
  published: boolean;
  category: string | null;
  capacity: number | null;
  level: CourseLevel | null;
  language: string | null;
  enrollmentOpensAt: Date | null;
  enrollmentClosesAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What an instructor chooses when creating a course; the rest is decided by the service. */
export interface CourseDraft {
  title: string;
  description: string;
  category: string | null;
  capacity: number | null;
  level: CourseLevel | null;
  language: string | null;
  published: boolean;
  enrollmentOpensAt: Date | null;
  enrollmentClosesAt: Date | null;
}

/** A partial update: absent fields keep their value, `null` clears an optional one. */
export type CourseChanges = Partial<CourseDraft>;

/** The course fields every Course-* event carries (the kit's courseSnapshot). */
export function courseSnapshot(course: Course) {
  return {
    courseId: course.id,
    instructorId: course.instructorId,
    title: course.title,
    published: course.published,
    category: course.category,
    capacity: course.capacity,
  };
}

export function courseCreatedEvent(course: Course): EventData<typeof Topics.CourseCreation> {
  return { ...courseSnapshot(course), createdAt: course.createdAt.toISOString() };
}

export function courseUpdatedEvent(course: Course): EventData<typeof Topics.CourseUpdate> {
  return { ...courseSnapshot(course), version: course.version, updatedAt: course.updatedAt.toISOString() };
}
