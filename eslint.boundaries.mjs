// The architecture's import boundaries, enforced by lint (docs/decisions/0008-lint-enforced-boundaries.md).
// Each block: which files, what they may not import, and why (the message a newcomer sees).
// e2e/, bench/ and tests may import anything (a test may run two services together); the launcher
// (services/moocflix) composes every service.

const SERVICES = ['users', 'courses', 'content', 'transcoder', 'assessments', 'notifications'];

const otherService = (self) =>
  SERVICES.filter((name) => name !== self).flatMap((name) => [
    {
      group: [`@moocflix/${name}`, `@moocflix/${name}/*`, `**/${name}/src/**`, `**/services/${name}/**`],
      message: `Services never import each other: talk to ${name} over HTTP or events, or move the shared code into the kit (a package under services/platform).`,
    },
  ]);

const anyService = (who) => [
  {
    group: [...SERVICES.flatMap((name) => [`@moocflix/${name}`, `@moocflix/${name}/*`, `**/services/${name}/**`]), '@moocflix/moocflix', '@moocflix/moocflix/*'],
    message: `${who} never imports a service: services depend on it, not the other way round.`,
  },
];

// The kit packages (services/platform/<package>) and which other kit packages each may import (its
// tests may also use testing and runtime). testing may import every one; nothing imports testing
// outside tests.
const KIT_LAYERS = {
  core: [],
  db: [],
  bus: ['core', 'db'],
  http: ['core', 'bus'],
  storage: ['core'],
  media: ['core'],
  telemetry: ['core'],
  runtime: ['core', 'db', 'bus', 'http', 'storage', 'telemetry'],
};
const KIT_TEST_FILES = ['**/*.test.ts', '**/*.fixture.ts', '**/*-fixture.ts'];
// By name, or by a relative path into the package's folder (../../../http/src/http).
const kitPackage = (pkg) => [`@moocflix/platform-${pkg}`, `@moocflix/platform-${pkg}/*`, `**/platform/${pkg}/**`, `**/${pkg}/src/**`];
const kitAbove = (self, allowed) =>
  [...Object.keys(KIT_LAYERS), 'testing']
    .filter((pkg) => pkg !== self && !allowed.includes(pkg))
    .map((pkg) => ({
      group: kitPackage(pkg),
      message: `The kit's ${self} package may import ${allowed.length ? allowed.join(', ') : 'no other kit package'}: importing ${pkg} would make every process that uses ${self} carry ${pkg} and its dependencies.`,
    }));
const OPERATOR_KIT_RULES = ['http', 'storage', 'media', 'runtime', 'testing'].map((pkg) => ({
  group: kitPackage(pkg),
  message: `The operator never imports the kit's ${pkg} package: its image must not carry ${pkg === 'runtime' ? "a service's composition root (express, the S3 client)" : pkg === 'testing' ? 'test support' : pkg}. Use @moocflix/platform-core (probes, process, metrics) and @moocflix/platform-bus.`,
}));

const restrict = (patterns) => ({
  // The TypeScript variant understands `import type` (allowTypeImports below).
  'no-restricted-imports': 'off',
  '@typescript-eslint/no-restricted-imports': ["error", { patterns }],
});

// Layers inside a service: routes → use cases → repositories, never back.
const useCaseRule = {
  group: ['express', 'express/*', '../http', '../http/*', '**/src/http/**'],
  message: 'A use case never imports a route or express: routes call use cases, not the reverse.',
};
const repositoryRules = [
  { group: ['express', 'express/*', '../http', '../http/*', '**/src/http/**'], message: 'A repository never imports a route or express.' },
  {
    group: ['../domain', '../domain/*', '**/src/domain/**'],
    allowTypeImports: true,
    message: "A repository may import the domain's types only (import type): use cases call repositories, not the reverse.",
  },
];

// Flat config merges a rule by name, the later block winning, so each layer's block repeats the
// service's own cross-service patterns.
export const boundaryRules = [
  ...SERVICES.flatMap((name) => [
    { files: [`services/${name}/src/**/*.ts`], rules: restrict(otherService(name)) },
    { files: [`services/${name}/src/domain/**/*.ts`], rules: restrict([...otherService(name), useCaseRule]) },
    { files: [`services/${name}/src/data/**/*.ts`], rules: restrict([...otherService(name), ...repositoryRules]) },
  ]),
  { files: ['services/platform/**/*.ts'], rules: restrict(anyService('The kit')) },
  // The kit's packages depend downwards only (docs/decisions/0009-kit-packages.md), so a package
  // never drags in what it does not use: storage, media and telemetry need core alone.
  ...Object.entries(KIT_LAYERS).map(([pkg, allowed]) => ({
    files: [`services/platform/${pkg}/src/**/*.ts`],
    ignores: KIT_TEST_FILES,
    rules: restrict([...anyService('The kit'), ...kitAbove(pkg, allowed)]),
  })),
  { files: ['operator/**/*.ts'], rules: restrict(anyService('The operator')) },
  // The operator's image carries no express, no S3 client and no ffmpeg: it serves its probes with
  // core's node:http server and plans chunks with core's transcoding module.
  { files: ['operator/src/**/*.ts'], ignores: ['**/*.test.ts'], rules: restrict([...anyService('The operator'), ...OPERATOR_KIT_RULES]) },
];
