import type { Queryable } from '@moocflix/platform-db';
import type { Answers } from '../domain/answer';
import type { QuestionScores } from '../domain/auto-grading';
import type { GradedAttempt } from '../domain/grading-method';
import type { Submission, SubmissionStatus } from '../domain/submission';

interface SubmissionRow {
  id: string;
  assessment_id: string;
  student_id: string;
  attempt: number;
  status: SubmissionStatus;
  score: number | null;
  max_score: number;
  answers: Answers;
  question_scores: QuestionScores;
  feedback: string | null;
  submitted_at: Date;
  graded_at: Date | null;
  graded_by: string | null;
}

const COLUMNS = `id, assessment_id, student_id, attempt, status, score, max_score, answers, question_scores, feedback,
  submitted_at, graded_at, graded_by`;

const toSubmission = (row: SubmissionRow): Submission => ({
  id: row.id,
  assessmentId: row.assessment_id,
  studentId: row.student_id,
  attempt: row.attempt,
  status: row.status,
  score: row.score,
  maxScore: row.max_score,
  answers: row.answers,
  questionScores: row.question_scores,
  feedback: row.feedback,
  submittedAt: row.submitted_at,
  gradedAt: row.graded_at,
  gradedBy: row.graded_by,
});

export async function insertSubmission(db: Queryable, s: Submission): Promise<Submission> {
  const { rows } = await db.query<SubmissionRow>(
    `INSERT INTO submissions (id, assessment_id, student_id, attempt, status, score, max_score, answers, question_scores,
                              feedback, submitted_at, graded_at, graded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     RETURNING ${COLUMNS}`,
    [
      s.id,
      s.assessmentId,
      s.studentId,
      s.attempt,
      s.status,
      s.score,
      s.maxScore,
      JSON.stringify(s.answers),
      JSON.stringify(s.questionScores),
      s.feedback,
      s.submittedAt,
      s.gradedAt,
      s.gradedBy,
    ],
  );
  return toSubmission(rows[0]!);
}

export async function findSubmission(
  db: Queryable,
  assessmentId: string,
  submissionId: string,
): Promise<Submission | undefined> {
  const { rows } = await db.query<SubmissionRow>(
    `SELECT ${COLUMNS} FROM submissions WHERE id = $1 AND assessment_id = $2`,
    [submissionId, assessmentId],
  );
  return rows[0] && toSubmission(rows[0]);
}

/** The submission row-locked until the transaction ends, so two graders' decisions apply one after the other. */
export async function lockSubmission(
  db: Queryable,
  assessmentId: string,
  submissionId: string,
): Promise<Submission | undefined> {
  const { rows } = await db.query<SubmissionRow>(
    `SELECT ${COLUMNS} FROM submissions WHERE id = $1 AND assessment_id = $2 FOR UPDATE`,
    [submissionId, assessmentId],
  );
  return rows[0] && toSubmission(rows[0]);
}

export async function saveGrade(
  db: Queryable,
  submissionId: string,
  grade: {
    questionScores: QuestionScores;
    score: number;
    feedback: string | null;
    gradedAt: Date;
    gradedBy: string;
  },
): Promise<Submission> {
  const { rows } = await db.query<SubmissionRow>(
    `UPDATE submissions SET status = 'graded', question_scores = $2, score = $3, feedback = $4, graded_at = $5, graded_by = $6
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [
      submissionId,
      JSON.stringify(grade.questionScores),
      grade.score,
      grade.feedback,
      grade.gradedAt,
      grade.gradedBy,
    ],
  );
  return toSubmission(rows[0]!);
}

/** A student's attempts, first attempt first. */
export async function listStudentSubmissions(
  db: Queryable,
  assessmentId: string,
  studentId: string,
): Promise<Submission[]> {
  const { rows } = await db.query<SubmissionRow>(
    `SELECT ${COLUMNS} FROM submissions WHERE assessment_id = $1 AND student_id = $2 ORDER BY attempt`,
    [assessmentId, studentId],
  );
  return rows.map(toSubmission);
}

/** The attempts of the given students, by student then attempt. */
export async function listSubmissionsOf(
  db: Queryable,
  assessmentId: string,
  studentIds: string[],
): Promise<Submission[]> {
  const { rows } = await db.query<SubmissionRow>(
    `SELECT ${COLUMNS} FROM submissions WHERE assessment_id = $1 AND student_id = ANY($2::text[]) ORDER BY student_id, attempt`,
    [assessmentId, studentIds],
  );
  return rows.map(toSubmission);
}

/** Every graded attempt's score, narrow rows only: what the statistics are computed from. */
export async function listGradedAttempts(
  db: Queryable,
  assessmentId: string,
): Promise<(GradedAttempt & { studentId: string })[]> {
  const { rows } = await db.query<{ student_id: string; attempt: number; score: number }>(
    `SELECT student_id, attempt, score FROM submissions WHERE assessment_id = $1 AND status = 'graded'`,
    [assessmentId],
  );
  return rows.map((r) => ({ studentId: r.student_id, attempt: r.attempt, score: r.score }));
}

/** Students actively enrolled in the course who submitted at least once. */
export async function countActiveSubmitters(
  db: Queryable,
  assessmentId: string,
  courseId: string,
): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM projected_enrollments e
      WHERE e.course_id = $2 AND e.status = 'active'
        AND EXISTS (SELECT 1 FROM submissions s WHERE s.assessment_id = $1 AND s.student_id = e.student_id)`,
    [assessmentId, courseId],
  );
  return rows[0]!.count;
}

/**
 * One page of the students the owner's results list: everyone actively enrolled, plus anyone who
 * submitted (and has left the course since), by student id.
 */
export async function pageResultStudents(
  db: Queryable,
  assessmentId: string,
  courseId: string,
  page: { after?: string; limit: number },
): Promise<string[]> {
  const { rows } = await db.query<{ student_id: string }>(
    `SELECT student_id FROM (
       SELECT student_id FROM projected_enrollments WHERE course_id = $2 AND status = 'active'
       UNION
       SELECT student_id FROM submissions WHERE assessment_id = $1
     ) students
     WHERE $3::text IS NULL OR student_id > $3
     ORDER BY student_id LIMIT $4`,
    [assessmentId, courseId, page.after ?? null, page.limit],
  );
  return rows.map((r) => r.student_id);
}
