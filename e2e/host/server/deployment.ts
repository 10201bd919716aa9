/**
 * The Grafana container exactly as the repository deploys it, read from its own files:
 * docker-compose.yml (+ the overlays remote-deploy.sh adds) for the grafana service's environment
 * and volumes, and that service's Dockerfile for the base image (the pinned Grafana version) and the
 * files its final stage COPYs in. The result feeds the stand-in (env + ContainerFs) and the checks
 * that the deployment gives Grafana what its provisioning needs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ContainerFs, type Mount } from './container-fs';

export interface GrafanaDeployment {
  /** The official image the final stage builds FROM, e.g. grafana/grafana:12.4.10. */
  baseImage: string;
  /** Its tag: the Grafana version the deployment runs. */
  grafanaVersion: string;
  /** ENV of the final stage (over the official image's own ENV). */
  imageEnv: Record<string, string>;
  /** The grafana container's environment after compose interpolation (unset → empty). */
  env: Record<string, string>;
  /** Compose variables the environment reads (`${NAME…}`), by container variable. */
  composeVariables: Record<string, string[]>;
  /** What lands where in the container: COPY in the final stage, then compose volumes on top. */
  mounts: Mount[];
  /** Final-stage `COPY --from=<stage>` sources that a build stage produces (not files of the repo). */
  builtByStage: Array<{ stage: string; target: string }>;
  dockerfile: string;
}

/** The compose files the deployment runs (deploy/scripts/remote-deploy.sh). */
export const DEPLOYED_COMPOSE_FILES = ['docker-compose.yml', 'deploy/compose/monitoring.yml'];

type Service = {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
};

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, $$. */
export function composeInterpolate(value: string, vars: Record<string, string | undefined>, strict = false): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = braced ?? bare!;
      const v = vars[name];
      const unsetOrEmpty = v === undefined || (op?.startsWith(':') && v === '');
      if (op?.endsWith('-')) return unsetOrEmpty ? composeInterpolate(arg ?? '', vars, strict) : v!;
      if (op?.endsWith('?')) {
        if (unsetOrEmpty && strict) throw new Error(`required variable ${name} is missing a value: ${arg ?? ''}`);
        return v ?? '';
      }
      return v ?? '';
    },
  );
}

/** The compose variables a value reads. */
export function composeVariablesOf(value: string): string[] {
  return [...value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => (m[1] ?? m[2])!);
}

function mergedGrafanaService(repo: string, files: string[]): Service {
  const merged: Service = {};
  for (const file of files) {
    const doc = parse(readFileSync(path.join(repo, file), 'utf8'), { merge: true }) as {
      services?: Record<string, Service>;
    };
    const s = doc.services?.grafana;
    if (!s) continue;
    const env = { ...envMap(merged.environment), ...envMap(s.environment) };
    Object.assign(merged, s, { environment: env, volumes: [...(merged.volumes ?? []), ...(s.volumes ?? [])] });
  }
  return merged;
}

function envMap(env: Service['environment']): Record<string, string> {
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => [e.split('=')[0]!, e.includes('=') ? e.slice(e.indexOf('=') + 1) : '']));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

interface Instruction {
  op: string;
  args: string;
}

function dockerInstructions(text: string): Instruction[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** The final stage of a Dockerfile: its base image (ARG defaults resolved) and its COPY instructions. */
export function finalStage(text: string, buildArgs: Record<string, string> = {}) {
  const ins = dockerInstructions(text);
  const args: Record<string, string> = {};
  for (const i of ins) {
    if (i.op !== 'ARG') continue;
    const [k, v] = i.args.split('=');
    if (k && v !== undefined && !(k in args)) args[k] = buildArgs[k] ?? v;
  }
  const froms = ins.map((i, index) => ({ i, index })).filter(({ i }) => i.op === 'FROM');
  const last = froms[froms.length - 1];
  if (!last) throw new Error('Dockerfile without FROM');
  const image = last.i.args.split(/\s+/)[0]!.replace(/\$\{?([A-Za-z_]+)\}?/g, (_, n: string) => args[n] ?? '');
  const env: Record<string, string> = {};
  for (const i of ins.slice(last.index + 1).filter((x) => x.op === 'ENV')) {
    const pairs = [...i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)];
    if (pairs.length === 0) {
      const [k, ...v] = i.args.split(/\s+/);
      if (k) env[k] = v.join(' ');
    }
    for (const [, k, v] of pairs) env[k!] = v!.startsWith('"') ? (JSON.parse(v!) as string) : v!;
  }
  const copies = ins
    .slice(last.index + 1)
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1), target: paths[paths.length - 1]! };
    });
  return { image, env, copies };
}

export function readGrafanaDeployment(options: {
  repo: string;
  /** The .env the deployment uses (compose variables). */
  composeEnv: Record<string, string | undefined>;
  files?: string[];
}): GrafanaDeployment {
  const service = mergedGrafanaService(options.repo, options.files ?? DEPLOYED_COMPOSE_FILES);
  const rawEnv = envMap(service.environment);
  const env = Object.fromEntries(
    Object.entries(rawEnv).map(([k, v]) => [k, composeInterpolate(v, options.composeEnv)]),
  );
  const composeVariables = Object.fromEntries(Object.entries(rawEnv).map(([k, v]) => [k, composeVariablesOf(v)]));

  const mounts: Mount[] = [];
  const builtByStage: GrafanaDeployment['builtByStage'] = [];
  let baseImage = service.image ?? '';
  let dockerfile = '';
  let imageEnv: Record<string, string> = {};
  if (service.build) {
    const context = path.join(options.repo, service.build.context ?? '.');
    dockerfile = path.join(context, service.build.dockerfile ?? 'Dockerfile');
    const stage = finalStage(readFileSync(dockerfile, 'utf8'), service.build.args);
    baseImage = stage.image;
    imageEnv = stage.env;
    for (const copy of stage.copies) {
      if (copy.from) {
        builtByStage.push({ stage: copy.from, target: copy.target });
        continue;
      }
      for (const source of copy.sources) {
        // COPY dir/ target copies the directory's content into target.
        mounts.push({ target: copy.target, source: path.join(context, source) });
      }
    }
  }
  for (const v of service.volumes ?? []) {
    const [source, target] = typeof v === 'string' ? v.split(':') : [v.source, v.target];
    if (source && target && (source.startsWith('.') || source.startsWith('/'))) {
      mounts.push({ target, source: path.resolve(options.repo, source) });
    }
  }
  const grafanaVersion = /:([^:/@]+)$/.exec(baseImage)?.[1] ?? '';
  return { baseImage, grafanaVersion, imageEnv, env, composeVariables, mounts, builtByStage, dockerfile };
}

/** The container's mounts, with the folder a build stage fills taken from `stageOutputs` (stage → host dir). */
export function containerMounts(deployment: GrafanaDeployment, stageOutputs: Record<string, string>): Mount[] {
  const fromStages = deployment.builtByStage.flatMap((b) =>
    stageOutputs[b.stage] ? [{ target: b.target, source: stageOutputs[b.stage]! }] : [],
  );
  return [...fromStages, ...deployment.mounts];
}

/** The stand-in's view of that container (see containerMounts). */
export function containerFsOf(deployment: GrafanaDeployment, stageOutputs: Record<string, string>): ContainerFs {
  return new ContainerFs(containerMounts(deployment, stageOutputs));
}
