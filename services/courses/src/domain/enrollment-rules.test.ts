import { enrollmentRefusal } from './enrollment-rules';

const at = (iso: string) => new Date(iso);
const open = { capacity: null, enrollmentOpensAt: null, enrollmentClosesAt: null };

describe('enrollmentRefusal', () => {
  it('accepts anyone into an unlimited course without a window', () => {
    expect(enrollmentRefusal(open, 1_000_000, at('2030-01-01T00:00:00Z'))).toBeNull();
  });

  it('refuses before the window opens and from the moment it closes (half-open window)', () => {
    const course = { ...open, enrollmentOpensAt: at('2030-01-01T00:00:00Z'), enrollmentClosesAt: at('2030-02-01T00:00:00Z') };
    expect(enrollmentRefusal(course, 0, at('2029-12-31T23:59:59.999Z'))).toBe('enrollment-not-open');
    expect(enrollmentRefusal(course, 0, at('2030-01-01T00:00:00Z'))).toBeNull();
    expect(enrollmentRefusal(course, 0, at('2030-01-31T23:59:59.999Z'))).toBeNull();
    expect(enrollmentRefusal(course, 0, at('2030-02-01T00:00:00Z'))).toBe('enrollment-closed');
  });

  it('refuses when every seat is taken', () => {
    const course = { ...open, capacity: 3 };
    expect(enrollmentRefusal(course, 2, new Date())).toBeNull();
    expect(enrollmentRefusal(course, 3, new Date())).toBe('course-full');
  });

  it('reports a closed window before a full course (the window is what the student can act on)', () => {
    const course = { capacity: 1, enrollmentOpensAt: null, enrollmentClosesAt: at('2000-01-01T00:00:00Z') };
    expect(enrollmentRefusal(course, 1, at('2030-01-01T00:00:00Z'))).toBe('enrollment-closed');
  });
});
