// The architecture's import boundaries, enforced by lint (docs/decisions/0008-lint-enforced-boundaries.md).
// Each block: which files, what they may not import, and why (the message a newcomer sees).
// e2e/, bench/ and tests may import anything (a test may run two services together); the launcher
// (services/moocflix) composes every service.

const SERVICES = ['users', 'courses', 'content', 'transcoder', 'assessments', 'notifications'];

const otherService = (self) =>
  SERVICES.filter((name) => name !== self).flatMap((name) => [
    {
      group: [`@moocflix/${name}`, `@moocflix/${name}/*`, `**/${name}/src/**`, `**/services/${name}/**`],
      message: `Services never import each other: talk to ${name} over HTTP or events, or move the shared code into the kit (services/platform).`,
    },
  ]);

const anyService = (who) => [
  {
    group: [...SERVICES.flatMap((name) => [`@moocflix/${name}`, `@moocflix/${name}/*`, `**/services/${name}/**`]), '@moocflix/moocflix', '@moocflix/moocflix/*'],
    message: `${who} never imports a service: services depend on it, not the other way round.`,
  },
];

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
  { files: ['operator/**/*.ts'], rules: restrict(anyService('The operator')) },
];
