import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Dockerfile must build with the classic builder (machines and CI runners without BuildKit):
 * a `# syntax=` line, `RUN --mount` or `COPY --chmod`/`ADD --chmod` make it fail there. No engine is
 * needed to check that, so this runs in the unit tier.
 */
const dockerfile = readFileSync(path.resolve(__dirname, '../../Dockerfile'), 'utf8');
const instructions = dockerfile
  .split('\n')
  .filter((line) => !line.trimStart().startsWith('#') || /^#\s*syntax\s*=/i.test(line));

describe('Dockerfile', () => {
  test('has no BuildKit-only syntax', () => {
    const buildkitOnly = instructions.filter(
      (line) =>
        /^#\s*syntax\s*=/i.test(line) ||
        /^\s*RUN\s+--mount/i.test(line) ||
        /^\s*(COPY|ADD)\s.*--chmod/i.test(line),
    );
    expect(buildkitOnly).toEqual([]);
  });

  test('every image target runs as uid 10001', () => {
    const targets = ['users', 'courses', 'content', 'assessments', 'notifications', 'transcoder', 'operator'];
    for (const target of targets) {
      const stage = dockerfile
        .split(/^FROM /m)
        .find((s) => new RegExp(`\\sAS ${target}\\s*$`, 'm').test(s.split('\n')[0] ?? ''));
      expect(stage).toBeDefined();
      expect(stage).toMatch(/^USER 10001:10001$/m);
    }
  });
});
