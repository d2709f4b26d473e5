import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeRules } from './controller-runtime/rbac';
import { RBAC_DIR, renderRbac } from './rbac';

test('config/rbac matches the rules declared in the code (regenerate: node --import tsx operator/src/rbac.ts)', () => {
  for (const [file, text] of Object.entries(renderRbac())) {
    expect(readFileSync(join(RBAC_DIR, file), 'utf8')).toBe(text);
  }
});

test('rules merge per resource and group resources with the same verbs', () => {
  expect(
    mergeRules([
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['watch', 'get', 'list'] },
      { apiGroups: ['x.io'], resources: ['a/status', 'b/status'], verbs: ['patch'] },
    ]),
  ).toEqual([
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'create'] },
    { apiGroups: ['x.io'], resources: ['a/status', 'b/status'], verbs: ['patch'] },
  ]);
});
