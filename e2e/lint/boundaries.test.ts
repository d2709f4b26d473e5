import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The lint tier's own proof that each boundary rule bites (eslint.boundaries.mjs, eslint.config.mjs):
 * lint a small fixture as if it lived at a given path and expect the rule's error, or none for the
 * imports the architecture allows. Fixtures are virtual (lintText with a file path), so no violating
 * file ever sits in the tree.
 */
const root = path.resolve(__dirname, '../..');
const RESTRICTED = '@typescript-eslint/no-restricted-imports';

interface Fixture {
  name: string;
  path: string;
  code: string;
}

const refused: Fixture[] = [
  { name: 'a service importing another service by package', path: 'services/courses/src/domain/x.ts', code: "import { createUsersService } from '@moocflix/users/service';\nexport const x = createUsersService;\n" },
  { name: 'a service importing another service by path', path: 'services/content/src/http/x.ts', code: "import { COURSE_LEVELS } from '../../../courses/src/domain/course';\nexport const x = COURSE_LEVELS;\n" },
  { name: 'the kit importing a service', path: 'services/platform/http/src/http/x.ts', code: "import { createContentService } from '@moocflix/content/service';\nexport const x = createContentService;\n" },
  { name: 'the operator importing a service', path: 'operator/src/x.ts', code: "import { createTranscoderService } from '@moocflix/transcoder/service';\nexport const x = createTranscoderService;\n" },
  { name: 'the operator importing the HTTP kit', path: 'operator/src/controller-runtime/x.ts', code: "import { createHttpApp } from '@moocflix/platform-http';\nexport const x = createHttpApp;\n" },
  { name: 'the operator importing storage', path: 'operator/src/transcode/x.ts', code: "import { createObjectStorage } from '@moocflix/platform-storage';\nexport const x = createObjectStorage;\n" },
  { name: 'the operator importing media', path: 'operator/src/transcode/x.ts', code: "import { probeMedia } from '@moocflix/platform-media';\nexport const x = probeMedia;\n" },
  { name: 'the operator importing a service runtime', path: 'operator/src/x.ts', code: "import { createPlatform } from '@moocflix/platform-runtime';\nexport const x = createPlatform;\n" },
  { name: 'kit core importing another kit package', path: 'services/platform/core/src/log/x.ts', code: "import { createPool } from '@moocflix/platform-db';\nexport const x = createPool;\n" },
  { name: 'kit storage importing http', path: 'services/platform/storage/src/storage/x.ts', code: "import { createHttpApp } from '@moocflix/platform-http';\nexport const x = createHttpApp;\n" },
  { name: 'kit bus importing http by path', path: 'services/platform/bus/src/events/x.ts', code: "import { createHttpApp } from '../../../http/src/http';\nexport const x = createHttpApp;\n" },
  { name: 'kit http importing test support', path: 'services/platform/http/src/http/x.ts', code: "import { TestTokenIssuer } from '@moocflix/platform-testing';\nexport const x = TestTokenIssuer;\n" },
  { name: 'a use case importing a route', path: 'services/courses/src/domain/x.ts', code: "import { courseRoutes } from '../http/course-routes';\nexport const x = courseRoutes;\n" },
  { name: 'a use case importing express', path: 'services/courses/src/domain/x.ts', code: "import express from 'express';\nexport const x = express;\n" },
  { name: 'a repository importing express', path: 'services/courses/src/data/x.ts', code: "import { Router } from 'express';\nexport const x = Router;\n" },
  { name: 'a repository calling a use case', path: 'services/courses/src/data/x.ts', code: "import { enrollStudent } from '../domain/enroll-student';\nexport const x = enrollStudent;\n" },
];

const allowed: Fixture[] = [
  { name: 'a service importing the kit', path: 'services/courses/src/domain/x.ts', code: "import { problems } from '@moocflix/platform-core/errors';\nexport const x = problems;\n" },
  { name: 'the operator using core and the bus', path: 'operator/src/x.ts', code: "import { startProbeServer } from '@moocflix/platform-core/probes';\nimport { Topics } from '@moocflix/platform-bus';\nexport const x = [startProbeServer, Topics];\n" },
  { name: 'kit runtime composing the kit', path: 'services/platform/runtime/src/runtime/x.ts', code: "import { createHttpApp } from '@moocflix/platform-http';\nimport { createObjectStorage } from '@moocflix/platform-storage';\nexport const x = [createHttpApp, createObjectStorage];\n" },
  { name: 'a repository importing a domain type', path: 'services/courses/src/data/x.ts', code: "import type { CourseLevel } from '../domain/course';\nexport type X = CourseLevel;\n" },
  { name: 'a use case calling a repository', path: 'services/courses/src/domain/x.ts', code: "import { findCourse } from '../data/course-repository';\nexport const x = findCourse;\n" },
  { name: 'the launcher composing services', path: 'services/moocflix/src/x.ts', code: "import { createUsersService } from '@moocflix/users/service';\nexport const x = createUsersService;\n" },
  { name: 'a test running two services together', path: 'services/content/test/x.ts', code: "import { createTranscoderService } from '@moocflix/transcoder/service';\nexport const x = createTranscoderService;\n" },
];

const promises: Fixture[] = [
  { name: 'floating', path: 'services/courses/src/domain/x.ts', code: 'async function work(): Promise<void> {}\nexport function go(): void {\n  work();\n}\n' },
  {
    name: 'misused',
    path: 'services/courses/src/domain/x.ts',
    code: "import { EventEmitter } from 'node:events';\nexport function go(e: EventEmitter): void {\n  e.on('x', async () => {\n    await Promise.resolve();\n  });\n}\n",
  },
  // The web console's pages (.tsx, web/tsconfig.json) get the same type-aware rules.
  { name: 'floating in the web console', path: 'web/src/pages/x.tsx', code: 'async function save(): Promise<void> {}\nexport function Page() {\n  save();\n  return <p>saved</p>;\n}\n' },
  { name: 'detached on purpose', path: 'services/courses/src/domain/x.ts', code: 'async function work(): Promise<void> {}\nexport function go(): void {\n  void work();\n}\n' },
];

const fixtures = [...refused, ...allowed, ...promises];
let results: Map<string, string[]>;

beforeAll(() => {
  // One child process for every fixture: the type-aware rules load the whole program once, and
  // jest's module system cannot load ESLint's ESM config itself.
  const out = execFileSync(process.execPath, [path.join(__dirname, 'lint-fixtures.mjs')], {
    cwd: root,
    input: JSON.stringify(fixtures.map(({ path: p, code }) => ({ path: p, code }))),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const ruleIds = JSON.parse(out) as string[][];
  results = new Map(fixtures.map((f, i) => [f.name, ruleIds[i] ?? []]));
}, 180_000);

describe('lint boundaries', () => {
  it.each(refused.map((f) => [f.name]))('refuses %s', (name) => {
    expect(results.get(name)).toContain(RESTRICTED);
  });

  it.each(allowed.map((f) => [f.name]))('allows %s', (name) => {
    expect(results.get(name)).toEqual([]);
  });

  it('refuses a floating promise and a promise passed where a callback is expected, allows void', () => {
    expect(results.get('floating')).toContain('@typescript-eslint/no-floating-promises');
    expect(results.get('floating in the web console')).toContain('@typescript-eslint/no-floating-promises');
    expect(results.get('misused')).toContain('@typescript-eslint/no-misused-promises');
    expect(results.get('detached on purpose')).toEqual([]);
  });
});
