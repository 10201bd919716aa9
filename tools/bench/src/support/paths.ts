import { repoPath } from '@mwva/testkit';

export { REPO, repoPath } from '@mwva/testkit';
/** The compiled CLI the replicas run. */
export const CLI = repoPath('datasource-server/dist/cli/main.js');

/** This area's ports (5500-5599; nginx 58180/58543). */
export const PORTS = {
  replicas: [5501, 5502, 5503],
  bare: [5511, 5512, 5513],
  carrier: 5520,
  noGrafana: 5590,
  nginxHttp: 58180,
  nginxHttps: 58543,
  /** failover: private servers, so the shared ones stay up for everybody else */
  pgPrimary: 5532,
  pgReplica: 5533,
  redis: 5579,
  ferretdb: 5517,
  chroma: 5580,
  neo4j: 5587,
} as const;
