import { SseParser } from '../src/lib/sse';
import { uploadProgress } from '../src/lib/upload';

describe('SseParser', () => {
  it('returns whole events across chunk boundaries and skips keepalive comments', () => {
    const parser = new SseParser();
    expect(parser.push('event: video\ndata: {"status":"queu')).toEqual([]);
    expect(parser.push('ed","progress":0}\n\n: keepalive\n\n')).toEqual([{ event: 'video', data: '{"status":"queued","progress":0}' }]);
    expect(parser.push('event: video\r\ndata: {"status":"ready"}\r\n\r\ndata: a\ndata: b\n\n')).toEqual([
      { event: 'video', data: '{"status":"ready"}' },
      { event: 'message', data: 'a\nb' },
    ]);
  });
});

describe('uploadProgress', () => {
  it('is a whole percentage of a known total, capped at 100', () => {
    expect(uploadProgress(0, 1000, true).percent).toBe(0);
    expect(uploadProgress(333, 1000, true).percent).toBe(33);
    expect(uploadProgress(1000, 1000, true).percent).toBe(100);
    expect(uploadProgress(1200, 1000, true).percent).toBe(100);
  });
  it('is unknown when the browser cannot compute the total', () => {
    expect(uploadProgress(500, 0, false).percent).toBeNull();
    expect(uploadProgress(500, 0, true).percent).toBeNull();
  });
});

import { match } from '../src/lib/route-match';

describe('match (the console’s routes)', () => {
  it('matches the root and parameters, with or without a trailing slash', () => {
    expect(match('/', '/')).toEqual({});
    expect(match('/courses/:id', '/courses/42/')).toEqual({ id: '42' });
    expect(match('/courses/:id/watch/:moduleId', '/courses/a%20b/watch/m1')).toEqual({ id: 'a b', moduleId: 'm1' });
    expect(match('/courses/:id', '/courses')).toBeNull();
    expect(match('/', '/my')).toBeNull();
  });
});
