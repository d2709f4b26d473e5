import type { Queryable } from '@moocflix/platform-db';
import type { Assessment, AssessmentType } from '../domain/assessment';
import type { CourseStanding } from '../domain/course-access';
import type { GradingMethod } from '../domain/grading-method';
import type { Question } from '../domain/question';
import {
  courseStandingColumns,
  toCourseStanding,
  type CourseStandingRow,
} from './course-projection-repository';

interface AssessmentRow {
  id: string;
  course_id: string;
  created_by: string;
  title: string;
  type: AssessmentType;
  due_at: Date | null;
  max_attempts: number | null;
  grading_method: GradingMethod;
  time_limit_seconds: number | null;
  questions: Question[];
  max_score: number;
  created_at: Date;
}

const COLUMNS = `a.id, a.course_id, a.created_by, a.title, a.type, a.due_at, a.max_attempts, a.grading_method,
  a.time_limit_seconds, a.questions, a.max_score, a.created_at`;

const toAssessment = (row: AssessmentRow): Assessment => ({
  id: row.id,
  courseId: row.course_id,
  createdBy: row.created_by,
  title: row.title,
  type: row.type,
  dueAt: row.due_at,
  maxAttempts: row.max_attempts,
  gradingMethod: row.grading_method,
  timeLimitSeconds: row.time_limit_seconds,
  questions: row.questions,
  maxScore: row.max_score,
  createdAt: row.created_at,
});

/** `createdAt` comes from the application clock (millisecond precision, like the cursors built from it). */
export async function insertAssessment(db: Queryable, a: Assessment): Promise<Assessment> {
  const { rows } = await db.query<AssessmentRow>(
    `INSERT INTO assessments AS a (id, course_id, created_by, title, type, due_at, max_attempts, grading_method,
                                   time_limit_seconds, questions, max_score, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     RETURNING ${COLUMNS}`,
    [
      a.id,
      a.courseId,
      a.createdBy,
      a.title,
      a.type,
      a.dueAt,
      a.maxAttempts,
      a.gradingMethod,
      a.timeLimitSeconds,
      JSON.stringify(a.questions),
      a.maxScore,
      a.createdAt,
    ],
  );
  return toAssessment(rows[0]!);
}

export interface AssessmentWithCourse {
  assessment: Assessment;
  /** Undefined when the course's events have not reached this service (cannot happen once created). */
  course: CourseStanding | undefined;
}

/** The assessment, its course and the caller's enrollment in it, in one round trip. */
export async function findAssessmentWithCourse(
  db: Queryable,
  id: string,
  callerId: string,
): Promise<AssessmentWithCourse | undefined> {
  const { rows } = await db.query<AssessmentRow & Partial<CourseStandingRow> & { course_known: boolean }>(
    `SELECT ${COLUMNS}, course.course_id IS NOT NULL AS course_known, ${courseStandingColumns('$2')}
       FROM assessments a LEFT JOIN projected_courses course ON course.course_id = a.course_id
      WHERE a.id = $1`,
    [id, callerId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    assessment: toAssessment(row),
    course: row.course_known ? toCourseStanding(row as CourseStandingRow) : undefined,
  };
}

/** Keyset position: the last assessment of the previous page (newest first). */
export interface AssessmentPosition {
  createdAt: string;
  id: string;
}

export async function listCourseAssessments(
  db: Queryable,
  courseId: string,
  page: { after?: AssessmentPosition; limit: number },
): Promise<Assessment[]> {
  const { rows } = await db.query<AssessmentRow>(
    `SELECT ${COLUMNS} FROM assessments a
      WHERE a.course_id = $1 AND ($2::timestamptz IS NULL OR (a.created_at, a.id) < ($2, $3::uuid))
      ORDER BY a.created_at DESC, a.id DESC LIMIT $4`,
    [courseId, page.after?.createdAt ?? null, page.after?.id ?? null, page.limit],
  );
  return rows.map(toAssessment);
}
