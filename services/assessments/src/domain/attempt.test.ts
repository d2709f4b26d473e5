import {
  attemptExpiry,
  isOpen,
  startDecision,
  submitDecision,
  TIME_LIMIT_GRACE_MS,
  type Attempt,
  type AttemptHistory,
} from './attempt';

const now = new Date('2030-01-01T12:00:00Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const MINUTE = 60_000;

const timed = { timeLimitSeconds: 600, dueAt: null, maxAttempts: null };
const untimed = { timeLimitSeconds: null, dueAt: null, maxAttempts: null };

const attempt = (fields: Partial<Attempt> = {}): Attempt => ({
  assessmentId: 'a',
  studentId: 's',
  attempt: 1,
  startedAt: at(-5 * MINUTE),
  expiresAt: at(5 * MINUTE),
  submissionId: null,
  ...fields,
});
const history = (latestStarted?: Attempt, greatestAttempt = latestStarted?.attempt ?? 0): AttemptHistory => ({
  latestStarted,
  greatestAttempt,
});
/** An attempt whose time ran out `pastMs` ago. */
const expired = (pastMs: number, fields: Partial<Attempt> = {}) =>
  attempt({ startedAt: at(-10 * MINUTE - pastMs), expiresAt: at(-pastMs), ...fields });

describe('attemptExpiry', () => {
  it('is the start plus the time limit, capped at the due date, and null without a time limit', () => {
    expect(attemptExpiry(timed, now)).toEqual(at(10 * MINUTE));
    expect(attemptExpiry({ ...timed, dueAt: at(3 * MINUTE) }, now)).toEqual(at(3 * MINUTE));
    expect(attemptExpiry({ ...timed, dueAt: at(60 * MINUTE) }, now)).toEqual(at(10 * MINUTE));
    expect(attemptExpiry({ timeLimitSeconds: null, dueAt: at(MINUTE) }, now)).toBeNull();
  });
});

describe('isOpen', () => {
  it('is open until expiresAt plus the grace, then closed; a submitted attempt is closed', () => {
    expect(isOpen(attempt(), now)).toBe(true);
    expect(isOpen(expired(TIME_LIMIT_GRACE_MS), now)).toBe(true);
    expect(isOpen(expired(TIME_LIMIT_GRACE_MS + 1), now)).toBe(false);
    expect(isOpen(attempt({ expiresAt: null }), now)).toBe(true);
    expect(isOpen(attempt({ submissionId: 'sub' }), now)).toBe(false);
  });
});

describe('startDecision', () => {
  it('starts attempt 1 with its expiry when none was used', () => {
    expect(startDecision(timed, history(), now)).toEqual({
      kind: 'start',
      attempt: 1,
      expiresAt: at(10 * MINUTE),
    });
    expect(startDecision(untimed, history(), now)).toEqual({ kind: 'start', attempt: 1, expiresAt: null });
  });

  it('returns the open attempt again, even when it was the last one allowed', () => {
    const open = attempt({ attempt: 2 });
    expect(startDecision({ ...timed, maxAttempts: 2 }, history(open), now)).toEqual({
      kind: 'resume',
      attempt: open,
    });
  });

  it('numbers the next attempt after every one used: submitted, expired, or submitted without a start', () => {
    expect(startDecision(timed, history(attempt({ submissionId: 'sub' })), now)).toMatchObject({
      kind: 'start',
      attempt: 2,
    });
    expect(startDecision(timed, history(expired(MINUTE)), now)).toMatchObject({ kind: 'start', attempt: 2 });
    expect(startDecision(untimed, history(undefined, 3), now)).toMatchObject({ kind: 'start', attempt: 4 });
  });

  it('refuses a new attempt past the due date or once every attempt is used, an expired one included', () => {
    expect(startDecision({ ...timed, dueAt: at(-1) }, history(), now)).toEqual({
      kind: 'refuse',
      refusal: 'past-due',
    });
    expect(startDecision({ ...timed, maxAttempts: 1 }, history(expired(MINUTE)), now)).toEqual({
      kind: 'refuse',
      refusal: 'attempts-exhausted',
    });
  });
});

describe('submitDecision — with a time limit', () => {
  it('ends the open attempt, within the grace too', () => {
    const open = attempt({ attempt: 3 });
    expect(submitDecision({ ...timed, maxAttempts: 3 }, history(open), now)).toEqual({
      kind: 'submit',
      attempt: 3,
      started: open,
    });
    const late = expired(TIME_LIMIT_GRACE_MS - 1);
    expect(submitDecision(timed, history(late), now)).toEqual({ kind: 'submit', attempt: 1, started: late });
  });

  it('refuses without a started attempt (409 attempt-not-started), also after the last one was submitted', () => {
    expect(submitDecision(timed, history(), now)).toEqual({ kind: 'refuse', refusal: 'attempt-not-started' });
    expect(submitDecision(timed, history(attempt({ submissionId: 'sub' })), now)).toEqual({
      kind: 'refuse',
      refusal: 'attempt-not-started',
    });
  });

  it('refuses once the latest attempt ran out of time, before saying whether attempts are left', () => {
    const refusal = { kind: 'refuse', refusal: 'time-limit-exceeded' };
    expect(submitDecision(timed, history(expired(TIME_LIMIT_GRACE_MS + 1)), now)).toEqual(refusal);
    expect(submitDecision({ ...timed, maxAttempts: 1 }, history(expired(MINUTE)), now)).toEqual(refusal);
  });

  it('checks the due date first, without grace, and says when no attempt is left rather than to start one', () => {
    expect(submitDecision({ ...timed, dueAt: at(-1) }, history(attempt()), now)).toEqual({
      kind: 'refuse',
      refusal: 'past-due',
    });
    expect(submitDecision({ ...timed, dueAt: at(-1) }, history(expired(MINUTE)), now)).toEqual({
      kind: 'refuse',
      refusal: 'past-due',
    });
    expect(
      submitDecision({ ...timed, maxAttempts: 1 }, history(attempt({ submissionId: 'sub' })), now),
    ).toEqual({ kind: 'refuse', refusal: 'attempts-exhausted' });
  });
});

describe('submitDecision — without a time limit', () => {
  it('ends an open started attempt, else takes the number after every one used', () => {
    const open = attempt({ attempt: 2, expiresAt: null });
    expect(submitDecision(untimed, history(open), now)).toEqual({
      kind: 'submit',
      attempt: 2,
      started: open,
    });
    expect(submitDecision(untimed, history(), now)).toEqual({
      kind: 'submit',
      attempt: 1,
      started: undefined,
    });
    expect(
      submitDecision(untimed, history(attempt({ expiresAt: null, submissionId: 'sub' }), 4), now),
    ).toEqual({ kind: 'submit', attempt: 5, started: undefined });
  });

  it('keeps the due date and the attempt limit', () => {
    expect(submitDecision({ ...untimed, dueAt: at(-1) }, history(), now)).toEqual({
      kind: 'refuse',
      refusal: 'past-due',
    });
    expect(submitDecision({ ...untimed, maxAttempts: 2 }, history(undefined, 2), now)).toEqual({
      kind: 'refuse',
      refusal: 'attempts-exhausted',
    });
    const open = attempt({ attempt: 2, expiresAt: null });
    expect(submitDecision({ ...untimed, maxAttempts: 2 }, history(open), now)).toMatchObject({
      kind: 'submit',
      attempt: 2,
    });
  });
});
