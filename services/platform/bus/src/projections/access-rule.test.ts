import { expectedAccess, statusOf, type CallerKind, type CourseState, type CourseUse } from './access-rule';

/*
 * The rule of docs/access-rules.md, cell by cell: if courseAccess changes, this table (and the doc)
 * must change with it. 200 = allowed, 404 = does not exist for the caller, 403 = visible, no right.
 */
type Row = Record<CallerKind, number>;
const TABLE: Record<CourseState, Record<CourseUse, Row>> = {
  published: {
    see: { owner: 200, admin: 200, 'active student': 200, 'inactive student': 200, 'other user': 200 },
    watch: { owner: 200, admin: 200, 'active student': 200, 'inactive student': 403, 'other user': 403 },
    'take-part': {
      owner: 200,
      admin: 403,
      'active student': 200,
      'inactive student': 403,
      'other user': 403,
    },
    manage: { owner: 200, admin: 200, 'active student': 403, 'inactive student': 403, 'other user': 403 },
  },
  unpublished: {
    see: { owner: 200, admin: 200, 'active student': 404, 'inactive student': 404, 'other user': 404 },
    watch: { owner: 200, admin: 200, 'active student': 404, 'inactive student': 404, 'other user': 404 },
    'take-part': {
      owner: 200,
      admin: 403,
      'active student': 404,
      'inactive student': 404,
      'other user': 404,
    },
    manage: { owner: 200, admin: 200, 'active student': 404, 'inactive student': 404, 'other user': 404 },
  },
  deleted: {
    see: { owner: 404, admin: 404, 'active student': 404, 'inactive student': 404, 'other user': 404 },
    watch: { owner: 404, admin: 404, 'active student': 404, 'inactive student': 404, 'other user': 404 },
    'take-part': {
      owner: 404,
      admin: 404,
      'active student': 404,
      'inactive student': 404,
      'other user': 404,
    },
    manage: { owner: 404, admin: 404, 'active student': 404, 'inactive student': 404, 'other user': 404 },
  },
  unknown: {
    see: { owner: 404, admin: 404, 'active student': 404, 'inactive student': 404, 'other user': 404 },
    watch: { owner: 404, admin: 404, 'active student': 404, 'inactive student': 404, 'other user': 404 },
    'take-part': {
      owner: 404,
      admin: 404,
      'active student': 404,
      'inactive student': 404,
      'other user': 404,
    },
    manage: { owner: 404, admin: 404, 'active student': 404, 'inactive student': 404, 'other user': 404 },
  },
};

const cells = Object.entries(TABLE).flatMap(([state, uses]) =>
  Object.entries(uses).flatMap(([use, row]) =>
    Object.entries(row).map(
      ([kind, status]) => [state, use, kind, status] as [CourseState, CourseUse, CallerKind, number],
    ),
  ),
);

test.each(cells)('%s course, %s, %s → %i', (state, use, kind, status) => {
  expect(statusOf(expectedAccess(state, kind, use))).toBe(status);
});
