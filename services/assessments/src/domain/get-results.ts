import { cursorField, cursorSchema, decodeCursor } from '@moocflix/platform-http';
import { countActiveEnrollments } from '@moocflix/platform-bus/projections';
import {
  countActiveSubmitters,
  listGradedAttempts,
  listStudentSubmissions,
  listSubmissionsOf,
  pageResultStudents,
} from '../data/submission-repository';
import { greatestStartedAttempts } from '../data/attempt-repository';
import type { Assessment } from './assessment';
import { requireParticipant, type Caller } from './course-access';
import { finalGrade } from './grading-method';
import { loadAssessment } from './get-assessment';
import { keysetPage } from './keyset-page';
import { resultStats, type ResultStats } from './result-stats';
import { studentGrade, type StudentGrade } from './student-grade';
import type { Submission } from './submission';
import type { UseCaseContext } from './use-case-context';

/** A student's view: their own attempts, first first, and their final grade. */
export interface OwnResults {
  items: Submission[];
  grade: StudentGrade;
}

export interface StudentResults {
  studentId: string;
  grade: StudentGrade;
  submissions: Submission[];
}

/** The owner's view: every student (actively enrolled, or who submitted), a page at a time, and the statistics. */
export interface CourseResults {
  items: StudentResults[];
  nextCursor: string | null;
  stats: ResultStats;
}

// A student id (text; decodeCursor refuses NUL and lone surrogates, which PostgreSQL cannot take).
const cursor = cursorSchema({ s: cursorField.text(200) });

export async function getResults(
  ctx: UseCaseContext,
  caller: Caller,
  assessmentId: string,
  page: { cursor?: string; limit: number },
): Promise<OwnResults | CourseResults> {
  const { assessment, course } = await loadAssessment(ctx, caller, assessmentId);
  if (requireParticipant(course, caller) === 'student') {
    const [items, started] = await Promise.all([
      listStudentSubmissions(ctx.pool, assessment.id, caller.userId),
      greatestStartedAttempts(ctx.pool, assessment.id, [caller.userId]),
    ]);
    return { items, grade: studentGrade(assessment, items, started.get(caller.userId)) };
  }
  const position = decodeCursor(cursor, page.cursor);
  const studentIds = await pageResultStudents(ctx.pool, assessment.id, assessment.courseId, {
    after: position?.s,
    limit: page.limit + 1,
  });
  const { items: pageIds, nextCursor } = keysetPage(studentIds, page.limit, (last) => ({ s: last }));
  const [submissions, started, stats] = await Promise.all([
    listSubmissionsOf(ctx.pool, assessment.id, pageIds),
    greatestStartedAttempts(ctx.pool, assessment.id, pageIds),
    courseStats(ctx, assessment),
  ]);
  const byStudent = groupByStudent(submissions);
  const items = pageIds.map((studentId) => {
    const own = byStudent.get(studentId) ?? [];
    return { studentId, grade: studentGrade(assessment, own, started.get(studentId)), submissions: own };
  });
  return { items, nextCursor, stats };
}

async function courseStats(ctx: UseCaseContext, assessment: Assessment): Promise<ResultStats> {
  const [graded, enrolledStudents, submittedStudents] = await Promise.all([
    listGradedAttempts(ctx.pool, assessment.id),
    countActiveEnrollments(ctx.pool, assessment.courseId),
    countActiveSubmitters(ctx.pool, assessment.id, assessment.courseId),
  ]);
  const attemptsByStudent = groupByStudent(graded);
  const finalGrades = [...attemptsByStudent.values()].map((attempts) =>
    finalGrade(assessment.gradingMethod, attempts)!,
  );
  return resultStats({ finalGrades, enrolledStudents, submittedStudents, maxScore: assessment.maxScore });
}

// Map.groupBy needs Node 21.
function groupByStudent<T extends { studentId: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.studentId);
    if (group) group.push(row);
    else groups.set(row.studentId, [row]);
  }
  return groups;
}
