import { HttpProblem } from '@moocflix/platform-core/errors';
import { etagOf, versionsFromIfMatch } from './if-match';

describe('If-Match', () => {
  it('round-trips the ETag of a version', () => {
    expect(versionsFromIfMatch(etagOf(7))).toEqual([7]);
  });

  it('means "any version" when absent or *', () => {
    expect(versionsFromIfMatch(undefined)).toBeUndefined();
    expect(versionsFromIfMatch(' * ')).toBeUndefined();
  });

  it('accepts a list of tags', () => {
    expect(versionsFromIfMatch('"3", "4"')).toEqual([3, 4]);
  });

  it('lets weak and foreign tags match nothing (412 later) rather than fail', () => {
    expect(versionsFromIfMatch('W/"3"')).toEqual([]);
    expect(versionsFromIfMatch('"abc", "0", "007"')).toEqual([]);
  });

  it('refuses what is not an entity tag with a 400', () => {
    for (const header of ['3', '"3', 'W/3', '"3",,"4"']) {
      expect(() => versionsFromIfMatch(header)).toThrow(HttpProblem);
      try {
        versionsFromIfMatch(header);
      } catch (err) {
        expect((err as HttpProblem).status).toBe(400);
      }
    }
  });
});
