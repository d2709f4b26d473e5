import { refusalProblem, submissionRefusal } from './submission-rules';

const now = new Date('2030-01-01T12:00:00Z');

describe('submissionRefusal', () => {
  it('allows an attempt before the due date with attempts left', () => {
    expect(
      submissionRefusal({ dueAt: new Date('2030-01-01T12:00:00Z'), maxAttempts: 2 }, 1, now),
    ).toBeUndefined();
    expect(submissionRefusal({ dueAt: null, maxAttempts: null }, 50, now)).toBeUndefined();
  });

  it('refuses after the due date, before looking at attempts', () => {
    expect(submissionRefusal({ dueAt: new Date('2030-01-01T11:59:59Z'), maxAttempts: 1 }, 1, now)).toBe(
      'past-due',
    );
  });

  it('refuses once every allowed attempt is used', () => {
    expect(submissionRefusal({ dueAt: null, maxAttempts: 2 }, 2, now)).toBe('attempts-exhausted');
  });
});

describe('refusalProblem', () => {
  it('answers 409 for the state of the attempts, 422 for what came too late, with the reason', () => {
    expect(refusalProblem('attempts-exhausted').toBody()).toMatchObject({
      status: 409,
      reason: 'attempts-exhausted',
    });
    expect(refusalProblem('attempt-not-started').toBody()).toMatchObject({
      status: 409,
      reason: 'attempt-not-started',
      detail: expect.stringContaining('/attempts'),
    });
    expect(refusalProblem('past-due').toBody()).toMatchObject({ status: 422, reason: 'past-due' });
    expect(refusalProblem('time-limit-exceeded').toBody()).toMatchObject({
      status: 422,
      reason: 'time-limit-exceeded',
    });
  });
});
