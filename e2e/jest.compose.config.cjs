/**
 * The compose suite (`npm run test:compose`): the seed's infrastructure tests against the running
 * offline stack of `npm run stack:up` (a real Docker Engine). A missing stack fails the suite.
 * Files run in name order (each leaves the stack healthy for the next); the timeouts are hang
 * guards, not performance bars.
 */
module.exports = {
  // Results are in when the last suite ends; a leaked handle must not hang CI.
  forceExit: true,
  displayName: 'compose',
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  moduleNameMapper: {
    '^@mwva/contract$': '<rootDir>/../contract/src/index.ts',
    '^@mwva/voice-core$': '<rootDir>/../voice-core/src/index.ts',
    '^@mwva/datasource-server$': '<rootDir>/../datasource-server/src/index.ts',
    '^@mwva/testkit$': '<rootDir>/../tools/testkit/src/index.ts',
  },
  testMatch: ['<rootDir>/test/compose/**/*.compose.ts'],
  testSequencer: '<rootDir>/test/compose/support/sequencer.cjs',
  setupFiles: ['<rootDir>/test/compose/support/resolve-stack-domain.cjs'],
  testTimeout: 600_000,
};
