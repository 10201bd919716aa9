/**
 * Starts the Grafana stand-in as the repository deploys Grafana: the grafana service of
 * docker-compose.yml (+ the monitoring overlay) with staging's .env.example as compose's .env, the
 * files grafana.Dockerfile puts in the image, and plugin/dist (npm run build -w plugin) where the
 * image's plugin stage puts it. Only what a container network provides is played here: the compose
 * service name voice-agent-api resolves to the live API this suite started, and the admin password
 * secret is a temporary file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { containerMounts, readGrafanaDeployment, type GrafanaDeployment } from '../../../host/server/deployment';
import { ContainerFs } from '../../../host/server/container-fs';
import { createStandIn, type StandIn } from '../../../host/server/stand-in';
import { readEnvFile, REPO } from '../../grafana/support/repo';

export const APP_ID = 'magnificentworldwide-voiceagent-app';
export const DS_TYPE = 'magnificentworldwide-voiceagent-datasource';
export const PANEL_ID = 'magnificentworldwide-beastmode-panel';
export const PLUGIN_DIST = path.join(REPO, 'plugin/dist');
export const PAGE_DIST = path.join(REPO, 'e2e/host/dist/page');

export interface RunningGrafana {
  standIn: StandIn;
  deployment: GrafanaDeployment;
  /** Base URL including the sub path, e.g. http://127.0.0.1:5102/grafana */
  url: string;
  logs: string[];
  close: () => Promise<void>;
}

export interface GrafanaVariant {
  /** Compose variables over staging's .env.example (e.g. GRAFANA_UNSIGNED_PLUGINS: ''). */
  composeEnv?: Record<string, string>;
  /** Pretend the image pins another Grafana release. */
  grafanaVersion?: string;
  /** Leave the plugin out of the image (as a host without the plugin build would). */
  withoutPlugin?: boolean;
  /** Leave provisioning/grafana/datasources out (an unprovisioned Grafana, editable data sources). */
  withoutProvisionedDataSources?: boolean;
}

export function grafanaContainer(api: { url: string; token: string }, port: number, variant: GrafanaVariant = {}) {
  const deployment = readGrafanaDeployment({
    repo: REPO,
    composeEnv: {
      ...readEnvFile('deploy/environments/staging/.env.example'),
      DOMAIN: `127.0.0.1:${port}`,
      API_TOKEN: api.token,
      ...variant.composeEnv,
    },
  });
  const secrets = mkdtempSync(path.join(os.tmpdir(), 'grafana-secrets-'));
  writeFileSync(path.join(secrets, 'grafana_admin_password'), `browser-${process.pid}\n`);
  const mounts = [
    ...containerMounts(deployment, variant.withoutPlugin ? {} : { 'plugin-dist': PLUGIN_DIST }),
    { target: '/run/secrets', source: secrets },
  ].filter((m) => !(variant.withoutProvisionedDataSources && m.target === '/etc/grafana/provisioning/datasources'));
  const apiHost = new URL(api.url).host;
  return {
    deployment,
    options: {
      env: { ...deployment.imageEnv, ...deployment.env },
      fs: new ContainerFs(mounts),
      grafanaVersion: variant.grafanaVersion ?? deployment.grafanaVersion,
      pageDist: PAGE_DIST,
      hosts: { 'voice-agent-api:5000': apiHost },
    },
    cleanup: () => rmSync(secrets, { recursive: true, force: true }),
  };
}

export async function startGrafana(
  api: { url: string; token: string },
  port: number,
  variant: GrafanaVariant = {},
): Promise<RunningGrafana> {
  const { deployment, options, cleanup } = grafanaContainer(api, port, variant);
  const logs: string[] = [];
  try {
    const standIn = createStandIn({ ...options, log: (l) => logs.push(l) });
    const server = await standIn.listen(port, '127.0.0.1');
    return {
      standIn,
      deployment,
      url: server.url,
      logs,
      close: async () => {
        await server.close();
        cleanup();
      },
    };
  } catch (error) {
    cleanup();
    throw error;
  }
}
