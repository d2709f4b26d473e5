import type { Queryable } from '@moocflix/platform-db';
import type { CourseProgressSummary, ModuleProgress } from '../domain/progress';

interface ProgressRow {
  module_id: string;
  position_seconds: number;
  completed_at: Date | null;
  updated_at: Date;
}

const toProgress = (row: ProgressRow): ModuleProgress => ({
  moduleId: row.module_id,
  positionSeconds: row.position_seconds,
  completed: row.completed_at !== null,
  completedAt: row.completed_at,
  updatedAt: row.updated_at,
});

/**
 * Records the learner's position in a module, in one statement (no read-modify-write race): the
 * position is the latest write's (a learner may seek back, so it is not a maximum); `completed` only
 * ever goes from false to true, so a player still reporting `completed: false` while the learner
 * rewatches does not undo a completion.
 */
export async function saveProgress(
  db: Queryable,
  write: {
    courseId: string;
    moduleId: string;
    studentId: string;
    positionSeconds: number;
    completed: boolean;
  },
): Promise<ModuleProgress> {
  const { rows } = await db.query<ProgressRow>(
    `INSERT INTO module_progress (module_id, student_id, course_id, position_seconds, completed_at)
     VALUES ($1, $2, $3, $4, CASE WHEN $5::boolean THEN now() END)
     ON CONFLICT (module_id, student_id) DO UPDATE
       SET position_seconds = EXCLUDED.position_seconds,
           completed_at = COALESCE(module_progress.completed_at, EXCLUDED.completed_at),
           updated_at = now()
     RETURNING module_id, position_seconds, completed_at, updated_at`,
    [write.moduleId, write.studentId, write.courseId, write.positionSeconds, write.completed],
  );
  return toProgress(rows[0]!);
}

/**
 * Whether the learner's row for the module says completed, locked until `tx` ends (FOR UPDATE), so
 * that of two concurrent completing writes the second sees the first's completion; undefined when
 * there is no row yet.
 */
export async function lockProgressCompletion(
  tx: Queryable,
  moduleId: string,
  studentId: string,
): Promise<{ completed: boolean } | undefined> {
  const { rows } = await tx.query<{ completed: boolean }>(
    `SELECT completed_at IS NOT NULL AS completed FROM module_progress
      WHERE module_id = $1 AND student_id = $2 FOR UPDATE`,
    [moduleId, studentId],
  );
  return rows[0];
}

/**
 * The learner's first row for the module, or undefined when a concurrent write created it first
 * (then its transaction has committed, and a new lock sees it).
 */
export async function insertProgressIfAbsent(
  tx: Queryable,
  write: { courseId: string; moduleId: string; studentId: string; positionSeconds: number; completed: boolean },
): Promise<ModuleProgress | undefined> {
  const { rows } = await tx.query<ProgressRow>(
    `INSERT INTO module_progress (module_id, student_id, course_id, position_seconds, completed_at)
     VALUES ($1, $2, $3, $4, CASE WHEN $5::boolean THEN now() END)
     ON CONFLICT (module_id, student_id) DO NOTHING
     RETURNING module_id, position_seconds, completed_at, updated_at`,
    [write.moduleId, write.studentId, write.courseId, write.positionSeconds, write.completed],
  );
  return rows[0] && toProgress(rows[0]);
}

/** The learner's progress rows in a course, for the modules that still exist. */
export async function listCourseProgress(
  db: Queryable,
  courseId: string,
  studentId: string,
): Promise<ModuleProgress[]> {
  const { rows } = await db.query<ProgressRow>(
    `SELECT module_id, position_seconds, completed_at, updated_at FROM module_progress
      WHERE student_id = $1 AND course_id = $2`,
    [studentId, courseId],
  );
  return rows.map(toProgress);
}

/** Per course: modules completed / total, and the module last written with its position. */
export async function summarizeProgress(
  db: Queryable,
  studentId: string,
  courseIds: string[],
): Promise<Map<string, CourseProgressSummary>> {
  const { rows } = await db.query<{
    course_id: string;
    modules_total: number;
    modules_completed: number;
    last_module_id: string | null;
    last_position_seconds: number | null;
    last_updated_at: Date | null;
  }>(
    `SELECT c.id AS course_id,
            (SELECT count(*)::int FROM course_modules m WHERE m.course_id = c.id) AS modules_total,
            (SELECT count(*)::int FROM module_progress p
              WHERE p.student_id = $1 AND p.course_id = c.id AND p.completed_at IS NOT NULL) AS modules_completed,
            last.module_id AS last_module_id, last.position_seconds AS last_position_seconds,
            last.updated_at AS last_updated_at
       FROM unnest($2::uuid[]) AS c(id)
       LEFT JOIN LATERAL (
         SELECT module_id, position_seconds, updated_at FROM module_progress p
          WHERE p.student_id = $1 AND p.course_id = c.id ORDER BY updated_at DESC, module_id LIMIT 1
       ) last ON true`,
    [studentId, courseIds],
  );
  return new Map(
    rows.map((row) => [
      row.course_id,
      {
        courseId: row.course_id,
        modulesCompleted: row.modules_completed,
        modulesTotal: row.modules_total,
        lastModule:
          row.last_module_id === null
            ? null
            : {
                moduleId: row.last_module_id,
                positionSeconds: row.last_position_seconds!,
                updatedAt: row.last_updated_at!,
              },
      },
    ]),
  );
}

/** What deciding a progress request needs, read in one round trip (the player writes every few seconds). */
export interface ProgressScope {
  /** Undefined: no such course, or deleted. */
  course: { instructorId: string; published: boolean } | undefined;
  enrollment: 'active' | 'inactive' | undefined;
  /** Whether `moduleId` (when asked) is a module of this course. */
  moduleInCourse: boolean;
}

export async function findProgressScope(
  db: Queryable,
  courseId: string,
  studentId: string,
  moduleId?: string,
): Promise<ProgressScope> {
  const { rows } = await db.query<{
    instructor_id: string | null;
    published: boolean | null;
    enrollment: 'active' | 'inactive' | null;
    module_in_course: boolean;
  }>({
    // Prepared once per connection: it runs on every progress write.
    name: 'courses.find-progress-scope',
    text: `SELECT c.instructor_id, c.published,
              (SELECT status FROM enrollments WHERE course_id = $1 AND student_id = $2) AS enrollment,
              EXISTS (SELECT 1 FROM course_modules WHERE id = $3 AND course_id = $1) AS module_in_course
         FROM (SELECT 1) one
         LEFT JOIN courses c ON c.id = $1 AND c.deleted_at IS NULL`,
    values: [courseId, studentId, moduleId ?? null],
  });
  const row = rows[0]!;
  return {
    course:
      row.instructor_id === null ? undefined : { instructorId: row.instructor_id, published: row.published! },
    enrollment: row.enrollment ?? undefined,
    moduleInCourse: row.module_in_course,
  };
}
