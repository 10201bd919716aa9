#!/usr/bin/env node
/**
 * The stand-in as a Grafana container's process (e.g. the offline compose stack): it reads the same
 * inputs grafana-server does — this process's environment (GF_*, provisioning variables), grafana.ini
 * at GF_PATHS_CONFIG, GF_PATHS_PROVISIONING, GF_PATHS_PLUGINS — from the real file system, and listens
 * on [server] http_addr:http_port. Like grafana-server it exits 1 when provisioning fails.
 *
 *   GF_STANDIN_GRAFANA_VERSION=12.4.10 node e2e/host/dist/server/main.js
 *
 * GF_STANDIN_GRAFANA_VERSION is the release it behaves as: the version the deployment pins
 * (ARG GRAFANA_IMAGE in deploy/docker/grafana.Dockerfile).
 */
import path from 'node:path';
import { ContainerFs } from './container-fs';
import { createStandIn, StartupError } from './stand-in';

async function main(): Promise<number> {
  const grafanaVersion = process.env.GF_STANDIN_GRAFANA_VERSION;
  if (!grafanaVersion) {
    process.stderr.write('GF_STANDIN_GRAFANA_VERSION is not set: the Grafana version the deployment pins\n');
    return 2;
  }
  let standIn;
  try {
    standIn = createStandIn({
      env: process.env,
      fs: ContainerFs.identity(),
      grafanaVersion,
      pageDist: path.join(__dirname, '..', 'page'),
    });
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    process.stderr.write(`logger=provisioning level=error msg="${error.message}"\n`);
    return 1;
  }
  const server = await standIn.listen(standIn.config.httpPort, standIn.config.httpAddr || '0.0.0.0');
  process.stderr.write(`stand-in: Grafana ${grafanaVersion} on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  },
);
