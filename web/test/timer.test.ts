import { countdown, formatDuration } from '../src/lib/timer';

describe('quiz countdown', () => {
  const expiresAt = '2026-01-01T10:05:00.000Z';
  const at = (iso: string) => Date.parse(iso);

  it('counts down to the server’s expiresAt', () => {
    expect(countdown(expiresAt, at('2026-01-01T10:00:00.000Z'))).toEqual({ remainingMs: 300_000, expired: false, label: '5:00', urgent: false });
    expect(countdown(expiresAt, at('2026-01-01T10:04:30.200Z'))).toMatchObject({ label: '0:30', urgent: true, expired: false });
  });
  it('rounds partial seconds up, so 0:00 only shows when time is up', () => {
    expect(countdown(expiresAt, at('2026-01-01T10:04:59.900Z'))?.label).toBe('0:01');
    expect(countdown(expiresAt, at('2026-01-01T10:05:00.000Z'))).toMatchObject({ label: '0:00', expired: true, remainingMs: 0 });
    expect(countdown(expiresAt, at('2026-01-01T11:00:00.000Z'))).toMatchObject({ remainingMs: 0, expired: true });
  });
  it('is absent for an untimed attempt or a malformed instant', () => {
    expect(countdown(null, 0)).toBeNull();
    expect(countdown(undefined, 0)).toBeNull();
    expect(countdown('not a date', 0)).toBeNull();
  });
  it('formats hours when there are any', () => {
    expect(formatDuration(3_600_000 + 62_000)).toBe('1:01:02');
    expect(formatDuration(59_000)).toBe('0:59');
    expect(formatDuration(-5)).toBe('0:00');
  });
});
