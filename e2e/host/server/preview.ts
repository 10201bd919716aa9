#!/usr/bin/env node
/**
 * `npm start`: the API (voice-agent serve) with a preview of the Magnificent Worldwide app beside it.
 * A newcomer has no Grafana, so the Grafana stand-in serves the app's pages under /grafana/ of the
 * same server, set up as the repository deploys Grafana (docker-compose.yml's grafana service,
 * grafana.Dockerfile's files, provisioning/grafana) and with its data source pointed back at this
 * server. The page says it is a preview; the server refuses it with NODE_ENV=production.
 *
 * Needs plugin/dist and e2e/host/dist (npm start builds them when missing: scripts/build-preview.mjs).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadEnv, resolveApiToken, serve, type PreviewMount } from '@mwva/datasource-server';
import { ContainerFs } from './container-fs';
import { containerMounts, readGrafanaDeployment } from './deployment';
import { createStandIn, StartupError } from './stand-in';

/** The repository root: above e2e/host/server when run from source, e2e/host/dist/server when built. */
const REPO = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../..' : '../../..');
const APP_ID = 'magnificentworldwide-voiceagent-app';
/** The API's name on the compose network, as the provisioned data source addresses it. */
const API_SERVICE = 'voice-agent-api:5000';
const PLUGIN_IDS = [APP_ID, 'magnificentworldwide-voiceagent-datasource', 'magnificentworldwide-beastmode-panel'];

/** The stand-in as the grafana container, its API address filled in once the server listens. */
export function previewMount(options: { dataDir: string; apiToken: string; port: number }): PreviewMount {
  const pluginDist = path.join(REPO, 'plugin/dist');
  const pageDist = path.join(REPO, 'e2e/host/dist/page');
  for (const [what, dir] of [
    ['the plugin build (npm run build -w plugin)', pluginDist],
    ['the stand-in page (npm run build:host -w e2e)', pageDist],
  ] as const) {
    if (!existsSync(dir)) throw new StartupError(`the preview needs ${what}: ${dir} is missing`);
  }
  const deployment = readGrafanaDeployment({
    repo: REPO,
    composeEnv: {
      DOMAIN: `127.0.0.1:${options.port}`,
      API_TOKEN: options.apiToken,
      // The local build is unsigned; a deployed Grafana gets the signed one (see plugin/README).
      GRAFANA_UNSIGNED_PLUGINS: PLUGIN_IDS.join(','),
      // Grafana refuses contact points without them; the stand-in evaluates no alert, so nothing is
      // ever sent to these (.invalid never resolves).
      ALERT_WEBHOOK_URL: 'https://alerts.preview.invalid/webhook',
      ALERT_EMAIL_ADDRESSES: 'ops@preview.invalid',
    },
  });
  // The admin password secret compose mounts: the preview has no login, any value will do.
  const secrets = path.join(options.dataDir, 'preview-secrets');
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(secrets, 'grafana_admin_password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });

  const standIn = createStandIn({
    env: { ...deployment.imageEnv, ...deployment.env },
    fs: new ContainerFs([
      ...containerMounts(deployment, { 'plugin-dist': pluginDist }),
      { target: '/run/secrets', source: secrets },
    ]),
    grafanaVersion: deployment.grafanaVersion,
    pageDist,
    hosts: { [API_SERVICE]: `127.0.0.1:${options.port}` },
    previewLabel: 'Preview · Grafana stand-in · not for production',
    log: (line) => {
      // What Grafana would refuse or complain about still shows; routine lines stay quiet.
      if (/level=(warn|error)/.test(line)) process.stderr.write(`preview: ${line}\n`);
    },
  });
  // Mounted at the root, the stand-in would shadow the API's own routes.
  const base = standIn.config.appSubUrl;
  if (!base) throw new StartupError('the preview needs Grafana served from a sub path (GF_SERVER_ROOT_URL …/grafana/)');
  return { basePath: base, home: `${base}/a/${APP_ID}/overview`, handler: standIn.handler };
}

async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`voice-agent: ${err.message}\n`);
    process.exit(2);
  }
  if (env.NODE_ENV === 'production') {
    process.stderr.write('voice-agent: no preview with NODE_ENV=production; run `voice-agent serve`\n');
    process.exit(2);
  }
  if (env.PORT === 0) {
    process.stderr.write('voice-agent: the preview needs a fixed PORT: its data source calls this server back\n');
    process.exit(2);
  }
  const token = resolveApiToken(env.API_TOKEN, env.DATA_DIR);
  let mount: PreviewMount;
  try {
    mount = previewMount({ dataDir: env.DATA_DIR, apiToken: token.token, port: env.PORT });
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    process.stderr.write(`voice-agent: ${err.message}\n`);
    process.exit(2);
  }
  await serve({}, { preview: mount });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
