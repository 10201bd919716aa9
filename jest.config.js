/**
 * Two projects:
 *  - unit:  `npm test`; needs nothing but Node (embedded PGlite stores are real Postgres).
 *  - stack: `npm run test:stack`; native adapters against the real servers started by
 *           `deploy/local/services.sh up`. A missing server fails the suite, never skips it.
 */
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};
// The compose stack's staged build inputs (copies of package.json files) are not modules.
const modulePathIgnorePatterns = ['<rootDir>/deploy/images/.*/stage/'];
const moduleNameMapper = {
  '^@mwva/contract$': '<rootDir>/contract/src/index.ts',
  '^@mwva/voice-core$': '<rootDir>/voice-core/src/index.ts',
  '^@mwva/datasource-server$': '<rootDir>/datasource-server/src/index.ts',
  '^@mwva/testkit$': '<rootDir>/tools/testkit/src/index.ts',
};

module.exports = {
  // A suite that leaks a handle (a socket, a timer) must not hang CI after its results are in;
  // jest still prints which suite did not clean up.
  forceExit: true,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/{voice-core,datasource-server,provisioning,e2e,tools/*}/test/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.stack\\.test\\.ts$'],
      // A guard against hangs: many suites start real servers and processes.
      testTimeout: 30_000,
    },
    {
      displayName: 'stack',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/{voice-core,datasource-server,provisioning,e2e,tools/*}/test/**/*.stack.test.ts'],
      // A guard against hangs, not a latency bar: real servers on a busy 2-core CI box can
      // take seconds for one call (FerretDB scans; Neo4j warms up after a restart).
      testTimeout: 30_000,
    },
  ],
};
