// Unit tier: the files charts/ keeps in step with other parts of the repository.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generatedFiles } from '../tools/generate';
import { CHARTS_DIR, REPO_DIR } from './helm';

test('every values.schema.json and README parameter table is up to date (node --import tsx charts/tools/generate.ts)', () => {
  const stale = generatedFiles()
    .filter((f) => f.expected !== f.actual)
    .map((f) => f.path);
  expect(stale).toEqual([]);
});

test("the operator chart's crds/ is identical to the repository's crds/", () => {
  const top = join(REPO_DIR, 'crds');
  const chart = join(CHARTS_DIR, 'moocflix-operator', 'crds');
  const files = readdirSync(top).filter((f) => f.endsWith('.yaml')).sort();
  expect(files.length).toBeGreaterThan(0);
  expect(readdirSync(chart).sort()).toEqual(files);
  for (const file of files) {
    expect([file, readFileSync(join(chart, file), 'utf8')]).toEqual([file, readFileSync(join(top, file), 'utf8')]);
  }
});

test("the operator chart's RBAC rules are operator/config/rbac/role.yaml's", () => {
  const source = join(REPO_DIR, 'operator', 'config', 'rbac', 'role.yaml');
  const copy = join(CHARTS_DIR, 'moocflix-operator', 'files', 'role.yaml');
  expect(readFileSync(copy, 'utf8')).toBe(readFileSync(source, 'utf8'));
  expect((parse(readFileSync(copy, 'utf8')) as { rules: unknown[] }).rules.length).toBeGreaterThan(0);
});
