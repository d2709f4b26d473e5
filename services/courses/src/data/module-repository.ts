import type { Queryable } from '@moocflix/platform-db';
import type { CourseModule, ModuleDraft } from '../domain/course-module';

interface ModuleRow {
  id: string;
  course_id: string;
  title: string;
  description: string;
  position: number;
  video_id: string | null;
}

const COLUMNS = 'id, course_id, title, description, position, video_id';

const toModule = (row: ModuleRow): CourseModule => ({
  id: row.id,
  courseId: row.course_id,
  title: row.title,
  description: row.description,
  position: row.position,
  videoId: row.video_id,
});

export async function listModules(db: Queryable, courseId: string, page: { afterPosition?: number; limit: number }): Promise<CourseModule[]> {
  const { rows } = await db.query<ModuleRow>(
    `SELECT ${COLUMNS} FROM course_modules WHERE course_id = $1 AND position > $2 ORDER BY position LIMIT $3`,
    [courseId, page.afterPosition ?? 0, page.limit],
  );
  return rows.map(toModule);
}

export async function countModules(db: Queryable, courseId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM course_modules WHERE course_id = $1', [courseId]);
  return rows[0]!.count;
}

export async function findModule(db: Queryable, courseId: string, moduleId: string): Promise<CourseModule | undefined> {
  const { rows } = await db.query<ModuleRow>(`SELECT ${COLUMNS} FROM course_modules WHERE id = $1 AND course_id = $2`, [
    moduleId,
    courseId,
  ]);
  return rows[0] && toModule(rows[0]);
}

/** Moves the modules at positions first..last (last undefined: to the end) by `by` places. */
export async function shiftModules(db: Queryable, courseId: string, range: { first: number; last?: number; by: number }): Promise<void> {
  await db.query(
    `UPDATE course_modules SET position = position + $4, updated_at = now()
      WHERE course_id = $1 AND position >= $2 AND ($3::int IS NULL OR position <= $3)`,
    [courseId, range.first, range.last ?? null, range.by],
  );
}

export async function insertModule(db: Queryable, courseId: string, draft: ModuleDraft, position: number): Promise<CourseModule> {
  const { rows } = await db.query<ModuleRow>(
    `INSERT INTO course_modules (course_id, title, description, video_id, position) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${COLUMNS}`,
    [courseId, draft.title, draft.description, draft.videoId, position],
  );
  return toModule(rows[0]!);
}

export async function updateModule(
  db: Queryable,
  moduleId: string,
  changes: Partial<ModuleDraft> & { position?: number },
): Promise<CourseModule> {
  const { rows } = await db.query<ModuleRow>(
    `UPDATE course_modules SET
       title = COALESCE($2, title),
       description = COALESCE($3, description),
       video_id = CASE WHEN $4 THEN $5 ELSE video_id END,
       position = COALESCE($6, position),
       updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [moduleId, changes.title ?? null, changes.description ?? null, changes.videoId !== undefined, changes.videoId ?? null, changes.position ?? null],
  );
  return toModule(rows[0]!);
}

export async function deleteModule(db: Queryable, moduleId: string): Promise<void> {
  await db.query('DELETE FROM course_modules WHERE id = $1', [moduleId]);
}

/** A deleted course's modules go with it: nothing would ever show them again. */
export async function deleteCourseModules(db: Queryable, courseId: string): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM course_modules WHERE course_id = $1', [courseId]);
  return rowCount ?? 0;
}
