/** The repository's Grafana deployment, as the stand-in and the deployment checks read it. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readGrafanaDeployment, type GrafanaDeployment } from '../../../host/server/deployment';
import { IMAGE_ENV } from '../../../host/server/grafana-config';
import type { ExpansionContext } from '../../../host/server/interpolate';
import type { PluginJson } from '../../../host/server/plugins';

export const REPO = path.resolve(__dirname, '../../../..');
export const ENVIRONMENTS = ['production', 'staging'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** KEY=VALUE lines of a .env file (compose's format, no quotes used in ours). */
export function readEnvFile(relative: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path.join(REPO, relative), 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export const envExample = (environment: Environment) => `deploy/environments/${environment}/.env.example`;

/** The grafana container of an environment, with that environment's .env.example as compose's .env. */
export function deploymentFor(environment: Environment): GrafanaDeployment {
  return readGrafanaDeployment({ repo: REPO, composeEnv: readEnvFile(envExample(environment)) });
}

/** What Grafana's process environment holds: the official image's ENV, our image's, then the service's. */
export function containerEnv(deployment: GrafanaDeployment): Record<string, string> {
  return { ...IMAGE_ENV, ...deployment.imageEnv, ...deployment.env };
}

export function expansionContext(env: Record<string, string>, readFile: (p: string) => string): ExpansionContext {
  return { env, readFile, hostname: 'grafana' };
}

/** Every plugin.json of the plugin's sources (the app and its nested plugins). */
export function pluginJsons(): Array<{ file: string; json: PluginJson }> {
  const files = readdirSync(path.join(REPO, 'plugin/src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === 'plugin.json')
    .map((f) => path.join('plugin/src', f))
    .sort();
  return files.map((file) => ({ file, json: JSON.parse(readFileSync(path.join(REPO, file), 'utf8')) as PluginJson }));
}

/** True when git would not commit the path (so a fresh checkout on a host does not have it). */
export function gitIgnored(absolute: string): boolean {
  // A directory pattern such as `dist/` only matches with the trailing slash (the folder may not exist).
  return [absolute, `${absolute}/`].some((p) => {
    try {
      execFileSync('git', ['check-ignore', '-q', '--no-index', p], { cwd: REPO });
      return true;
    } catch {
      return false;
    }
  });
}
