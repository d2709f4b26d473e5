import type { Queryable } from '@moocflix/platform-db';
import type { Attempt, AttemptHistory } from '../domain/attempt';

interface AttemptRow {
  assessment_id: string;
  student_id: string;
  attempt: number;
  started_at: Date;
  expires_at: Date | null;
  submission_id: string | null;
}

const COLUMNS = 'assessment_id, student_id, attempt, started_at, expires_at, submission_id';

const toAttempt = (row: AttemptRow): Attempt => ({
  assessmentId: row.assessment_id,
  studentId: row.student_id,
  attempt: row.attempt,
  startedAt: row.started_at,
  expiresAt: row.expires_at,
  submissionId: row.submission_id,
});

export async function findAttempt(
  db: Queryable,
  assessmentId: string,
  studentId: string,
  attempt: number,
): Promise<Attempt | undefined> {
  const { rows } = await db.query<AttemptRow>(
    `SELECT ${COLUMNS} FROM attempts WHERE assessment_id = $1 AND student_id = $2 AND attempt = $3`,
    [assessmentId, studentId, attempt],
  );
  return rows[0] && toAttempt(rows[0]);
}

/** The student's most recently started attempt (the greatest number), submitted or not. */
export async function findLatestStartedAttempt(
  db: Queryable,
  assessmentId: string,
  studentId: string,
): Promise<Attempt | undefined> {
  const { rows } = await db.query<AttemptRow>(
    `SELECT ${COLUMNS} FROM attempts WHERE assessment_id = $1 AND student_id = $2 ORDER BY attempt DESC LIMIT 1`,
    [assessmentId, studentId],
  );
  return rows[0] && toAttempt(rows[0]);
}

/**
 * The greatest attempt number the student used, 0 for none: submissions (untimed ones need not be
 * started) and started attempts together, so one started and never submitted counts as used.
 */
export async function greatestAttemptNumber(
  db: Queryable,
  assessmentId: string,
  studentId: string,
): Promise<number> {
  const { rows } = await db.query<{ greatest: number }>(
    `SELECT greatest(
       (SELECT coalesce(max(attempt), 0) FROM submissions WHERE assessment_id = $1 AND student_id = $2),
       (SELECT coalesce(max(attempt), 0) FROM attempts WHERE assessment_id = $1 AND student_id = $2)
     )::int AS greatest`,
    [assessmentId, studentId],
  );
  return rows[0]!.greatest;
}

/** The greatest started attempt number of each of these students (students without one are absent). */
export async function greatestStartedAttempts(
  db: Queryable,
  assessmentId: string,
  studentIds: readonly string[],
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ student_id: string; greatest: number }>(
    `SELECT student_id, max(attempt)::int AS greatest FROM attempts
      WHERE assessment_id = $1 AND student_id = ANY($2) GROUP BY student_id`,
    [assessmentId, studentIds],
  );
  return new Map(rows.map((r) => [r.student_id, r.greatest]));
}

/** What starting or submitting decides on; read under the student's enrollment lock. */
export async function findAttemptHistory(
  db: Queryable,
  assessmentId: string,
  studentId: string,
): Promise<AttemptHistory> {
  return {
    latestStarted: await findLatestStartedAttempt(db, assessmentId, studentId),
    greatestAttempt: await greatestAttemptNumber(db, assessmentId, studentId),
  };
}

export async function insertAttempt(db: Queryable, a: Attempt): Promise<Attempt> {
  const { rows } = await db.query<AttemptRow>(
    `INSERT INTO attempts (assessment_id, student_id, attempt, started_at, expires_at, submission_id)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING ${COLUMNS}`,
    [a.assessmentId, a.studentId, a.attempt, a.startedAt, a.expiresAt, a.submissionId],
  );
  return toAttempt(rows[0]!);
}

/** Ends the attempt: the submission that used it. */
export async function linkSubmission(db: Queryable, a: Attempt, submissionId: string): Promise<void> {
  await db.query(
    `UPDATE attempts SET submission_id = $4 WHERE assessment_id = $1 AND student_id = $2 AND attempt = $3`,
    [a.assessmentId, a.studentId, a.attempt, submissionId],
  );
}
