import type { Queryable } from '@moocflix/platform-db';
import type { Course, CourseChanges, CourseDraft, CourseLevel, CourseSort } from '../domain/course';
import { textSearchQuery } from './text-search-query';

export interface CourseRow {
  id: string;
  title: string;
  description: string;
  instructor_id: string;
  instructor_name: string | null;
  published: boolean;
  category: string | null;
  capacity: number | null;
  level: CourseLevel | null;
  language: string | null;
  enrollment_opens_at: Date | null;
  enrollment_closes_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * Every query that returns courses reads them from `courses` (no alias). The instructor's name is
 * the row's own copy (migration 007); only where it is still NULL (the course was created before
 * the users projection heard of the instructor) is it looked up there, per such row.
 */
export const COURSE_COLUMNS = `id, title, description, instructor_id,
  COALESCE(instructor_name, (SELECT name FROM known_users WHERE known_users.id = courses.instructor_id)) AS instructor_name,
  published, category, capacity, level, language,
  enrollment_opens_at, enrollment_closes_at, version, created_at, updated_at`;

/** The column behind each field a draft or an update may set (and the only names that reach SQL). */
const COLUMN_OF: Record<keyof CourseDraft, string> = {
  title: 'title',
  description: 'description',
  category: 'category',
  capacity: 'capacity',
  level: 'level',
  language: 'language',
  published: 'published',
  enrollmentOpensAt: 'enrollment_opens_at',
  enrollmentClosesAt: 'enrollment_closes_at',
};

export function toCourse(row: CourseRow): Course {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    instructorId: row.instructor_id,
    instructorName: row.instructor_name,
    published: row.published,
    category: row.category,
    capacity: row.capacity,
    level: row.level,
    language: row.language,
    enrollmentOpensAt: row.enrollment_opens_at,
    enrollmentClosesAt: row.enrollment_closes_at,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertCourse(db: Queryable, instructorId: string, draft: CourseDraft): Promise<Course> {
  const fields = Object.keys(COLUMN_OF) as (keyof CourseDraft)[];
  const { rows } = await db.query<CourseRow>(
    // The name is read under a share lock: a rename being recorded right now is waited for and
    // then seen, and one recorded later finds this course (setInstructorName) — never a stale copy.
    `INSERT INTO courses (instructor_id, instructor_name, ${fields.map((f) => COLUMN_OF[f]).join(', ')})
     VALUES ($1, (SELECT name FROM known_users WHERE id = $1 FOR SHARE), ${fields.map((_, i) => `$${i + 2}`).join(', ')})
     RETURNING ${COURSE_COLUMNS}`,
    [instructorId, ...fields.map((f) => draft[f])],
  );
  return toCourse(rows[0]!);
}

/** A course that is not deleted. */
export async function findCourse(db: Queryable, id: string): Promise<Course | undefined> {
  const { rows } = await db.query<CourseRow>(`SELECT ${COURSE_COLUMNS} FROM courses WHERE id = $1 AND deleted_at IS NULL`, [id]);
  return rows[0] && toCourse(rows[0]);
}

/**
 * Like findCourse, and locks the row until the transaction ends. Every change to a course, its
 * modules or its enrollments takes this lock first, which serialises them per course: capacity
 * checks, module positions and deletion cannot race. NO KEY UPDATE (not UPDATE) so that foreign-key
 * checks of rows referencing the course are not blocked.
 */
export async function lockCourse(db: Queryable, id: string): Promise<Course | undefined> {
  const { rows } = await db.query<CourseRow>(
    `SELECT ${COURSE_COLUMNS} FROM courses WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE`,
    [id],
  );
  return rows[0] && toCourse(rows[0]);
}

/** Applies `changes` and bumps the version; the caller holds the row's lock (lockCourse). */
export async function updateCourse(db: Queryable, id: string, changes: CourseChanges): Promise<Course> {
  const fields = (Object.keys(changes) as (keyof CourseDraft)[]).filter((f) => changes[f] !== undefined);
  const { rows } = await db.query<CourseRow>(
    `UPDATE courses SET ${fields.map((f, i) => `${COLUMN_OF[f]} = $${i + 2}, `).join('')}
       version = version + 1, updated_at = date_trunc('milliseconds', now())
     WHERE id = $1 RETURNING ${COURSE_COLUMNS}`,
    [id, ...fields.map((f) => changes[f])],
  );
  return toCourse(rows[0]!);
}

/** Soft delete; the caller holds the row's lock (lockCourse). */
export async function markCourseDeleted(db: Queryable, id: string): Promise<Date> {
  const { rows } = await db.query<{ deleted_at: Date }>(
    `UPDATE courses SET deleted_at = date_trunc('milliseconds', now()) WHERE id = $1 RETURNING deleted_at`,
    [id],
  );
  return rows[0]!.deleted_at;
}

const ORDER: Record<CourseSort, { column: string; direction: 'ASC' | 'DESC' }> = {
  '-createdAt': { column: 'created_at', direction: 'DESC' },
  createdAt: { column: 'created_at', direction: 'ASC' },
  title: { column: 'title', direction: 'ASC' },
  '-title': { column: 'title', direction: 'DESC' },
};

export interface CourseListQuery {
  /** Drafts of other instructors are left out unless the viewer is an admin. */
  viewer: { userId: string; seesAllDrafts: boolean };
  instructorId?: string;
  category?: string;
  published?: boolean;
  text?: string;
  sort: CourseSort;
  /** Keyset position: the sort value and id of the last course of the previous page. */
  after?: { value: string; id: string };
  limit: number;
}

/** One page in `sort` order; ids break ties so the order is total and pages never overlap. */
export async function listCourses(db: Queryable, query: CourseListQuery): Promise<Course[]> {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const where = ['deleted_at IS NULL'];
  if (!query.viewer.seesAllDrafts) where.push(`(published OR instructor_id = ${param(query.viewer.userId)})`);
  if (query.instructorId !== undefined) where.push(`instructor_id = ${param(query.instructorId)}`);
  if (query.category !== undefined) where.push(`category = ${param(query.category)}`);
  if (query.published !== undefined) where.push(`published = ${param(query.published)}`);
  if (query.text !== undefined) {
    const tsquery = textSearchQuery(query.text);
    where.push(tsquery === null ? 'false' : `search @@ to_tsquery('simple', ${param(tsquery)})`);
  }
  const { column, direction } = ORDER[query.sort];
  if (query.after) {
    const cast = column === 'created_at' ? '::timestamptz' : '';
    where.push(`(${column}, id) ${direction === 'ASC' ? '>' : '<'} (${param(query.after.value)}${cast}, ${param(query.after.id)}::uuid)`);
  }
  const { rows } = await db.query<CourseRow>(
    `SELECT ${COURSE_COLUMNS} FROM courses WHERE ${where.join(' AND ')}
     ORDER BY ${column} ${direction}, id ${direction} LIMIT ${param(query.limit)}`,
    params,
  );
  return rows.map(toCourse);
}

/** The value of `sort`'s column for `course`, as a keyset cursor stores it. */
export function sortValue(course: Course, sort: CourseSort): string {
  return ORDER[sort].column === 'created_at' ? course.createdAt.toISOString() : course.title;
}

/**
 * The instructor's name on each of their courses (from a newer snapshot of the users projection).
 * The version moves too: it is the course's ETag, and a browser revalidating its copy with
 * If-None-Match must not be told "304, unchanged" with the old name in that copy. (No
 * Course-Update event: no other service keeps the name.) Deleted courses are left alone: nothing
 * serves them, and the condition lets the partial by-instructor index find the rows (every user
 * event runs this, students' included).
 */
export async function setInstructorName(db: Queryable, instructorId: string, name: string): Promise<void> {
  await db.query(
    `UPDATE courses SET instructor_name = $2, version = version + 1
      WHERE instructor_id = $1 AND deleted_at IS NULL AND instructor_name IS DISTINCT FROM $2`,
    [instructorId, name],
  );
}

/** Owner of each course, deleted ones included (events about past enrollments still name it). */
export async function instructorsOf(db: Queryable, courseIds: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; instructor_id: string }>('SELECT id, instructor_id FROM courses WHERE id = ANY($1::uuid[])', [
    courseIds,
  ]);
  return new Map(rows.map((r) => [r.id, r.instructor_id]));
}
