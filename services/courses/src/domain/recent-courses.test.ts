import type { Course } from './course';
import { RecentCourses } from './recent-courses';

const course = (id: string, version = 1) => ({ id, version }) as Course;

test('keeps at most maxEntries, dropping the least recently used', () => {
  const recent = new RecentCourses(2);
  recent.remember(course('a'));
  recent.remember(course('b'));
  expect(recent.get('a')?.id).toBe('a'); // a is now more recent than b
  recent.remember(course('c'));
  expect(recent.size).toBe(2);
  expect(recent.get('b')).toBeUndefined();
  expect(recent.get('a')?.id).toBe('a');
  expect(recent.get('c')?.id).toBe('c');
});

test('remembering a course again replaces its entry; forget removes it', () => {
  const recent = new RecentCourses();
  recent.remember(course('a', 1));
  recent.remember(course('a', 2));
  expect(recent.size).toBe(1);
  expect(recent.get('a')?.version).toBe(2);
  recent.forget('a');
  expect(recent.get('a')).toBeUndefined();
});
