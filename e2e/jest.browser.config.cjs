/**
 * The plugin's browser suite: Playwright (playwright-core on Debian's Chromium) drives the host
 * page, which mounts the plugin's built pages against a live datasource-server.
 * Run with `npm run test:browser -w e2e` (builds the plugin and the host page first).
 */
module.exports = {
  // Results are in when the last suite ends; a leaked handle must not hang CI.
  forceExit: true,
  displayName: 'browser',
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  testMatch: ['<rootDir>/test/browser/**/*.browser.ts'],
  testTimeout: 120_000,
};
