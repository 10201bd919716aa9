export { spawnLogged, stopProcess, freePort, type Spawned } from './process';
export { waitFor, waitForProcess, sleep } from './wait';
export { procSample, ProcMonitor } from './proc-stats';
export { treeCpuSeconds, listeningPid } from './process-cpu';
export {
  startNginx,
  localNginxVars,
  renderTemplate,
  readTemplate,
  readAccessLog,
  TEMPLATES,
  type LocalNginx,
  type AccessEntry,
} from './nginx';
export { REPO, repoPath } from './paths';
export { STORE_ENV, storeEnvFromProcess, requireEnv, type StoreEnv } from './store-env';
export {
  createPostgresDatabase,
  mongoDatabase,
  startOwnNeo4j,
  startOwnChroma,
  backupStackEnv,
  type OwnServer,
} from './own-servers';
