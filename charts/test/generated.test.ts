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
  const files = readdirSync(top)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  expect(files.length).toBeGreaterThan(0);
  expect(readdirSync(chart).sort()).toEqual(files);
  for (const file of files) {
    expect([file, readFileSync(join(chart, file), 'utf8')]).toEqual([
      file,
      readFileSync(join(top, file), 'utf8'),
    ]);
  }
});

test.each(['role.yaml', 'leader_election_role.yaml'])(
  "the operator chart's RBAC rules are operator/config/rbac/%s's",
  (file) => {
    const source = join(REPO_DIR, 'operator', 'config', 'rbac', file);
    const copy = join(CHARTS_DIR, 'moocflix-operator', 'files', file);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(source, 'utf8'));
    expect((parse(readFileSync(copy, 'utf8')) as { rules: unknown[] }).rules.length).toBeGreaterThan(0);
  },
);

describe('images: the Dockerfile, skaffold.yaml and the charts name the same ones', () => {
  const targets = ['users', 'courses', 'content', 'assessments', 'notifications', 'transcoder', 'operator'];
  const chartOf = (target: string) => (target === 'operator' ? 'moocflix-operator' : target);
  type ImageValues = { image: { repository: string }; jobs?: { image: { repository: string } } };
  const valuesOf = (chart: string) =>
    parse(readFileSync(join(CHARTS_DIR, chart, 'values.yaml'), 'utf8')) as ImageValues;
  const umbrellaKey = (target: string) => target;

  test('the Dockerfile has a target per image, each running as user 10001', () => {
    const dockerfile = readFileSync(join(REPO_DIR, 'Dockerfile'), 'utf8');
    for (const target of targets) {
      const stage = new RegExp(`^FROM \\S+ AS ${target}\\n(?:.*\\n)*?USER 10001:10001$`, 'm');
      expect([target, stage.test(dockerfile)]).toEqual([target, true]);
    }
  });

  test("skaffold builds every target and sets every chart image (and the operator Jobs' image)", () => {
    const skaffold = parse(readFileSync(join(REPO_DIR, 'skaffold.yaml'), 'utf8')) as {
      build: { artifacts: { image: string; docker: { target: string } }[] };
      deploy: { helm: { releases: { setValueTemplates: Record<string, string> }[] } };
    };
    const artifacts = skaffold.build.artifacts.map((a) => [a.image, a.docker.target]);
    expect(artifacts).toEqual(targets.map((t) => [`moocflix/${t}`, t]));
    const set = skaffold.deploy.helm.releases[0]!.setValueTemplates;
    for (const target of targets) {
      const key = `IMAGE_REPO_moocflix_${target}`;
      expect(set[`${umbrellaKey(target)}.image.repository`]).toBe(`{{.${key}}}`);
    }
    expect(set['operator.jobs.image.repository']).toBe('{{.IMAGE_REPO_moocflix_transcoder}}');
  });

  test("each chart's default image is its Dockerfile target", () => {
    for (const target of targets) {
      expect(valuesOf(chartOf(target)).image.repository).toBe(`ghcr.io/moocflix/${target}`);
    }
    expect(valuesOf('moocflix-operator').jobs?.image.repository).toBe('ghcr.io/moocflix/transcoder');
  });
});
