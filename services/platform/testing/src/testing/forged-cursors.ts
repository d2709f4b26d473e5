/**
 * Cursors a client could forge for a list, to check that each is a 400 and none reaches the
 * database. `valid` is a position the list issues (e.g. {t, id}); `kinds` says what each member
 * is, so every forged value is one that kind refuses (a "1" is a fine title but not a time).
 */
export type CursorFieldKind = 'timestamp' | 'uuid' | 'integer' | 'text' | 'enum';

const LONG = 'x'.repeat(3000);

const INVALID: Record<CursorFieldKind, unknown[]> = {
  timestamp: [
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '1',
    'infinity',
    '',
    1e300,
    null,
    {},
    '\ud800',
    LONG,
  ],
  uuid: ['1', "x' OR '1'='1", 'a\u0000b', '\ud800', 123, null, [], LONG],
  integer: [2 ** 31, 1e300, -1, 0, 1.5, '1', null, 'NaN', {}],
  text: ['\ud800', '\udc00\ud800', 'a\u0000b', LONG, '', 42, null, {}],
  enum: ['nope', 1, null],
};

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function forgedCursors(
  valid: Record<string, unknown>,
  kinds: Record<string, CursorFieldKind>,
): Array<[name: string, cursor: string]> {
  const forged: Array<[string, string]> = [
    ['garbage base64', 'Z2FyYmFnZQ'],
    ['characters outside base64url', '!!!*'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url')],
    ['a very long value', 'A'.repeat(5000)],
    ['an array', encode([1, 2])],
    ['null', encode(null)],
    ['no members', encode({})],
    ['an extra member', encode({ ...valid, extra: 1 })],
  ];
  for (const [member, kind] of Object.entries(kinds)) {
    for (const value of INVALID[kind]) {
      const shown =
        typeof value === 'string' && value.length > 40 ? `${value.length} characters` : JSON.stringify(value);
      forged.push([`${member} = ${shown}`, encode({ ...valid, [member]: value })]);
    }
  }
  return forged;
}
