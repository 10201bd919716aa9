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
  // The shared contract is TypeScript source in the repository; test it as source, unbuilt.
  moduleNameMapper: { ...base.moduleNameMapper, '^@mwva/contract$': '<rootDir>/../contract/src/index.ts' },
};
