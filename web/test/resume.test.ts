import { COMPLETE_FRACTION, dueForSave, isComplete, progressBody, resumePosition, SAVE_EVERY_MS } from '../src/lib/resume';

describe('resumePosition', () => {
  it('starts where the learner stopped', () => {
    expect(resumePosition(42.5, 600)).toBe(42.5);
    expect(resumePosition(42, null)).toBe(42);
  });
  it('starts at 0 without a usable saved position', () => {
    expect(resumePosition(null, 600)).toBe(0);
    expect(resumePosition(undefined, 600)).toBe(0);
    expect(resumePosition(0, 600)).toBe(0);
    expect(resumePosition(-3, 600)).toBe(0);
    expect(resumePosition(Number.NaN, 600)).toBe(0);
  });
  it('starts over when the saved position is at the very end (the learner finished)', () => {
    expect(resumePosition(598, 600)).toBe(0);
    expect(resumePosition(700, 600)).toBe(0);
    expect(resumePosition(596, 600)).toBe(596);
  });
});

describe('completion threshold', () => {
  it('is 90 % of the duration', () => {
    expect(COMPLETE_FRACTION).toBe(0.9);
    expect(isComplete(89.9, 100)).toBe(false);
    expect(isComplete(90, 100)).toBe(true);
  });
  it('never completes without a known duration', () => {
    expect(isComplete(1000, null)).toBe(false);
    expect(isComplete(1000, 0)).toBe(false);
    expect(isComplete(1000, Number.NaN)).toBe(false);
  });
  it('a write carries whole seconds, and completion never goes back', () => {
    expect(progressBody(12.7, 100, false)).toEqual({ positionSeconds: 12, completed: false });
    expect(progressBody(95, 100, false)).toEqual({ positionSeconds: 95, completed: true });
    expect(progressBody(3, 100, true)).toEqual({ positionSeconds: 3, completed: true });
    expect(progressBody(Number.NaN, 100, false)).toEqual({ positionSeconds: 0, completed: false });
  });
});

describe('dueForSave', () => {
  it('writes at once, then every 5 s', () => {
    expect(SAVE_EVERY_MS).toBe(5000);
    expect(dueForSave(null, 1000)).toBe(true);
    expect(dueForSave(1000, 5999)).toBe(false);
    expect(dueForSave(1000, 6000)).toBe(true);
  });
});
