import type { Queryable } from '@moocflix/platform-db';
import type { QuestionScores } from '../domain/auto-grading';

/** The audit trail of grading: one row per decision (auto-grading at submit, each manual (re)grade). */
export async function recordGradeEvent(
  db: Queryable,
  entry: {
    submissionId: string;
    gradedBy: string;
    previousScore: number | null;
    score: number;
    questionScores: QuestionScores;
    feedback: string | null;
    gradedAt: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO grade_events (submission_id, graded_by, previous_score, score, question_scores, feedback, graded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      entry.submissionId,
      entry.gradedBy,
      entry.previousScore,
      entry.score,
      JSON.stringify(entry.questionScores),
      entry.feedback,
      entry.gradedAt,
    ],
  );
}
