export { REPO, repoPath } from '@mwva/testkit';

/** Ports of the deployment tests (this area's range: 5300-5399, 58080, 58443, 14000, 15000). */
export const PORTS = {
  replicas: [5301, 5302, 5303],
  carrier: 5310,
  noGrafana: 5390,
  pebbleTls: 5399,
  nginxHttp: 58080,
  nginxHttps: 58443,
  pebble: 14000,
  pebbleManagement: 15000,
} as const;
