// Test tiers (docs/architecture.md#test-tiers). File names pick the tier:
//   *.test.ts          unit: pure logic, no external systems
//   *.int.test.ts      integration: real PostgreSQL, Kafka and S3 started once per run by e2e/stack
//   *.cluster.test.ts  cluster: a real kube-apiserver built from the Go module proxy
//   *.browser.test.ts  browser: the web console in Debian's chromium against `make dev`'s process
//   *.kind.test.ts     kind: the platform on real pods, run by e2e/kind/run.sh on the cluster it brings up
const transform = {
  // swc strips types only; `npm run typecheck` is the type gate. ESM-only packages (jose, the
  // Kubernetes client) are transformed to CommonJS so jest's module system can load them.
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!(jose|@kubernetes/client-node|openid-client|oauth4webapi)/)'];
const common = { transform, transformIgnorePatterns, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };
const roots = ['<rootDir>/services', '<rootDir>/operator', '<rootDir>/e2e', '<rootDir>/charts', '<rootDir>/web'];

module.exports = {
  // A global option: jest ignores testTimeout inside `projects`. Integration and cluster tests
  // start real systems on a 2-core box; unit tests finish in milliseconds either way.
  testTimeout: 60000,
  testSequencer: '<rootDir>/e2e/test-sequencer.js',
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots,
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '\\.cluster\\.test\\.ts$', '\\.browser\\.test\\.ts$', '\\.kind\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      roots,
      testMatch: ['**/*.int.test.ts'],
      globalSetup: '<rootDir>/e2e/stack/jest-global-setup.ts',
      globalTeardown: '<rootDir>/e2e/stack/jest-global-teardown.ts',
      setupFiles: ['<rootDir>/e2e/stack/jest-env.ts'],
    },
    {
      ...common,
      displayName: 'cluster',
      roots,
      testMatch: ['**/*.cluster.test.ts'],
      globalSetup: '<rootDir>/e2e/cluster/jest-global-setup.ts',
      globalTeardown: '<rootDir>/e2e/cluster/jest-global-teardown.ts',
      setupFiles: ['<rootDir>/e2e/cluster/jest-env.ts'],
    },
    {
      ...common,
      displayName: 'browser',
      roots: ['<rootDir>/e2e/browser'],
      testMatch: ['**/*.browser.test.ts'],
      globalSetup: '<rootDir>/e2e/browser/jest-global-setup.ts',
    },
    {
      ...common,
      displayName: 'kind',
      roots: ['<rootDir>/e2e/kind'],
      testMatch: ['**/*.kind.test.ts'],
    },
  ],
};
