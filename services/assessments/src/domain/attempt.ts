import type { Assessment } from './assessment';
import { isPastDue, submissionRefusal, type SubmissionRefusal } from './submission-rules';

/** An attempt a student started (POST /:id/attempts); the submit that ends it links its submission. */
export interface Attempt {
  assessmentId: string;
  studentId: string;
  attempt: number;
  startedAt: Date;
  /** startedAt + the time limit, capped at the due date; null when the assessment has no time limit. */
  expiresAt: Date | null;
  /** null until submitted. */
  submissionId: string | null;
}

/** What the student is told about their attempt: when it started and when its time runs out. */
export type AttemptView = Pick<Attempt, 'assessmentId' | 'attempt' | 'startedAt' | 'expiresAt'>;

export const toAttemptView = ({ assessmentId, attempt, startedAt, expiresAt }: Attempt): AttemptView => ({
  assessmentId,
  attempt,
  startedAt,
  expiresAt,
});

/**
 * How long after expiresAt a submit is still accepted. The student's client submits when its timer
 * runs out, and that final request takes a moment to arrive (slow network, retries, a busy server):
 * without a grace an attempt answered in time would be refused for its transit time.
 */
export const TIME_LIMIT_GRACE_MS = 30_000;

type TimeRules = Pick<Assessment, 'timeLimitSeconds' | 'dueAt'>;
type AttemptRules = Pick<Assessment, 'timeLimitSeconds' | 'dueAt' | 'maxAttempts'>;

/** The time limit from the start, but never past the due date (no time is given that could not be used). */
export function attemptExpiry(assessment: TimeRules, startedAt: Date): Date | null {
  if (assessment.timeLimitSeconds === null) return null;
  const end = startedAt.getTime() + assessment.timeLimitSeconds * 1000;
  return new Date(assessment.dueAt === null ? end : Math.min(end, assessment.dueAt.getTime()));
}

/** Its time ran out, grace included: unsubmitted, it can no longer be submitted, and it stays used. */
export const hasExpired = (attempt: Pick<Attempt, 'expiresAt'>, now: Date): boolean =>
  attempt.expiresAt !== null && now.getTime() > attempt.expiresAt.getTime() + TIME_LIMIT_GRACE_MS;

/** Started, not submitted, time not run out: the attempt a submit ends and a repeated start returns. */
export const isOpen = (attempt: Pick<Attempt, 'expiresAt' | 'submissionId'>, now: Date): boolean =>
  attempt.submissionId === null && !hasExpired(attempt, now);

/**
 * What the student's attempts look like: their latest started attempt (if any) and the greatest
 * attempt number they used, in submissions and started attempts together. Attempts are numbered
 * 1, 2, … in the order they begin; one started and never submitted keeps its number.
 */
export interface AttemptHistory {
  latestStarted: Attempt | undefined;
  greatestAttempt: number;
}

export type StartDecision =
  | { kind: 'resume'; attempt: Attempt }
  | { kind: 'start'; attempt: number; expiresAt: Date | null }
  | { kind: 'refuse'; refusal: SubmissionRefusal };

/**
 * Starting is idempotent while the latest attempt is open (a client that lost the answer may ask
 * again). Otherwise a new attempt must be one a submit could still use: before the due date, with
 * an attempt left.
 */
export function startDecision(assessment: AttemptRules, history: AttemptHistory, now: Date): StartDecision {
  const { latestStarted, greatestAttempt } = history;
  if (latestStarted && isOpen(latestStarted, now)) return { kind: 'resume', attempt: latestStarted };
  const refusal = submissionRefusal(assessment, greatestAttempt, now);
  if (refusal) return { kind: 'refuse', refusal };
  return { kind: 'start', attempt: greatestAttempt + 1, expiresAt: attemptExpiry(assessment, now) };
}

export type SubmitDecision =
  | { kind: 'submit'; attempt: number; started: Attempt | undefined }
  | { kind: 'refuse'; refusal: SubmissionRefusal };

/**
 * Which attempt a submit ends. With a time limit the attempt must have been started (the server
 * cannot time what it did not see begin) and still be open. Without one, starting is optional: an
 * open started attempt is ended, else the submit is an attempt of its own, numbered after every
 * attempt used, so maxAttempts holds either way.
 */
export function submitDecision(assessment: AttemptRules, history: AttemptHistory, now: Date): SubmitDecision {
  const { latestStarted, greatestAttempt } = history;
  const open = latestStarted && isOpen(latestStarted, now) ? latestStarted : undefined;
  if (assessment.timeLimitSeconds !== null && !open) {
    // Due date first, as always. Then the attempt that just ran out, the most useful thing to tell the
    // student (it was theirs and it is gone), before whether another one could still be started.
    if (isPastDue(assessment, now)) return { kind: 'refuse', refusal: 'past-due' };
    if (latestStarted?.submissionId === null) return { kind: 'refuse', refusal: 'time-limit-exceeded' };
    const refusal = submissionRefusal(assessment, greatestAttempt, now) ?? 'attempt-not-started';
    return { kind: 'refuse', refusal };
  }
  // An open attempt passed the maxAttempts check when it started, so only the due date can refuse it now.
  const attempt = open ? open.attempt : greatestAttempt + 1;
  const refusal = submissionRefusal(assessment, attempt - 1, now);
  if (refusal) return { kind: 'refuse', refusal };
  return { kind: 'submit', attempt, started: open };
}
