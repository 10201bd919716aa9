// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // Hoisted by npm workspaces, some ESM-only dependencies resolve to .mjs files.
  transform: { ...base.transform, '^.+\\.mjs$': swc },
  // test/ holds the checks of the production build (plugin.json rules, dist layout).
  testMatch: [...base.testMatch, '<rootDir>/test/**/*.test.ts'],
};
