/**
 * Does the Grafana we deploy get what its provisioning and our plugin need? Read from the repository's
 * own files (docker-compose.yml + overlays, deploy/docker/grafana.Dockerfile, deploy/k8s, the
 * workflows, provisioning/grafana, plugin/src/**\/plugin.json) with Grafana's semantics (the stand-in's
 * modules in e2e/host/server). Each check names the deployment defect it guards against (issue 16).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { parse, parseAllDocuments } from 'yaml';
import { containerFsOf } from '../../host/server/deployment';
import { renderGoTemplate } from '../../host/server/go-template';
import { readContactPoints, readDatasources } from '../../host/server/provisioning';
import {
  containerEnv,
  deploymentFor,
  ENVIRONMENTS,
  envExample,
  expansionContext,
  gitIgnored,
  pluginJsons,
  readEnvFile,
  REPO,
} from './support/repo';

const APP_ID = 'magnificentworldwide-voiceagent-app';
const read = (relative: string) => readFileSync(path.join(REPO, relative), 'utf8');

describe.each(ENVIRONMENTS)('the %s Grafana container (compose)', (environment) => {
  const deployment = deploymentFor(environment);
  const env = containerEnv(deployment);
  const fs = containerFsOf(deployment, {});
  const ctx = expansionContext(env, (p) => fs.readText(p));
  const provisioning = env.GF_PATHS_PROVISIONING!;

  it('every proxy route of every plugin.json resolves against every provisioned data source of its type', () => {
    const datasources = readDatasources(fs, path.posix.join(provisioning, 'datasources'), ctx);
    const withRoutes = pluginJsons().filter(({ json }) => (json.routes ?? []).length > 0);
    expect(withRoutes.length).toBeGreaterThan(0);
    for (const { file, json } of withRoutes) {
      const ofType = datasources.filter((d) => d.type === json.id);
      // A data source the deployment never provisions cannot be checked: that is a failure too.
      expect({ file, provisioned: ofType.length > 0 }).toEqual({ file, provisioned: true });
      for (const ds of ofType) {
        const data = { JsonData: ds.jsonData, SecureJsonData: ds.secureJsonData };
        for (const route of json.routes ?? []) {
          const rendered = renderGoTemplate(route.url ?? '', data);
          const where = `${file} route "${route.path}" on data source ${ds.uid}`;
          expect({ where, url: rendered }).not.toEqual({ where, url: expect.stringContaining('<no value>') });
          expect({ where, protocol: new URL(rendered).protocol }).toEqual({
            where,
            protocol: expect.stringMatching(/^https?:$/),
          });
          for (const header of route.headers ?? []) {
            const content = renderGoTemplate(header.content, data);
            expect({ where, header: header.name, content }).not.toEqual({
              where,
              header: header.name,
              content: expect.stringMatching(/<no value>|^Bearer\s*$/),
            });
          }
        }
      }
    }
  });

  it("runs a Grafana version that satisfies every plugin's grafanaDependency", () => {
    expect(deployment.grafanaVersion).toMatch(/^\d+\.\d+\.\d+$/);
    for (const { file, json } of pluginJsons()) {
      const range = json.dependencies?.grafanaDependency;
      expect({
        file,
        range,
        version: deployment.grafanaVersion,
        ok: range ? semver.satisfies(deployment.grafanaVersion, range) : false,
      }).toEqual({
        file,
        range,
        version: deployment.grafanaVersion,
        ok: true,
      });
    }
  });

  it('puts grafana.ini where Grafana reads it (GF_PATHS_CONFIG)', () => {
    const host = fs.resolve(env.GF_PATHS_CONFIG!);
    expect(host).toBe(path.join(REPO, 'provisioning/grafana/grafana.ini'));
  });

  it('gives Grafana every variable provisioning/grafana reads, and the .env.example lists what compose takes from .env', () => {
    const listed = readEnvFile(envExample(environment));
    for (const { variable, file } of provisioningVariables()) {
      const provided = env[variable] ?? '';
      expect({ variable, file, provided: provided !== '' }).toEqual({ variable, file, provided: true });
      for (const composeVariable of deployment.composeVariables[variable] ?? []) {
        expect({ variable, composeVariable, listed: composeVariable in listed }).toEqual({
          variable,
          composeVariable,
          listed: true,
        });
      }
    }
  });

  it('provisions contact points that Grafana validates (an empty webhook url or address list stops Grafana)', () => {
    const points = readContactPoints(fs, path.posix.join(provisioning, 'alerting'), ctx);
    expect(points.length).toBeGreaterThan(0);
  });

  it('gets the app plugin from its image build, not from a git-ignored folder of the host', () => {
    const pluginDir = path.posix.join(env.GF_PATHS_PLUGINS!, APP_ID);
    const fromHost = deployment.mounts.filter((m) => m.target === pluginDir);
    for (const m of fromHost)
      expect({ mount: m.source, ignoredByGit: gitIgnored(m.source) }).toEqual({ mount: m.source, ignoredByGit: false });
    const built = deployment.builtByStage.find((b) => b.target === pluginDir);
    expect(built).toBeDefined();
    // The stage that provides it (or the one it copies from) builds the plugin from source; the
    // deploy workflow may replace that stage with a signed build (--build-context plugin-dist=…).
    const dockerfile = readFileSync(deployment.dockerfile, 'utf8');
    expect(stageChain(dockerfile, built!.stage)).toMatch(/npm run build -w @mwva\/plugin/);
  });
});

describe('the Grafana image is pinned once', () => {
  it('compose builds grafana from deploy/docker/grafana.Dockerfile, whose base is the official grafana/grafana image', () => {
    const production = deploymentFor('production');
    expect(path.relative(REPO, production.dockerfile)).toBe('deploy/docker/grafana.Dockerfile');
    expect(production.baseImage).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(deploymentFor('staging').baseImage).toBe(production.baseImage);
  });
});

describe('the Kubernetes Grafana', () => {
  const objects = k8sBase();
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'grafana');

  it('runs the image built from grafana.Dockerfile (plugin, provisioning and grafana.ini inside)', () => {
    expect(deployment).toBeDefined();
    const container = deployment!.spec.template.spec.containers.find((c: { name: string }) => c.name === 'grafana');
    expect(container.image).toBe('voice-agent-grafana');
    const kustomization = parse(read('deploy/k8s/base/kustomization.yaml')) as {
      images: Array<{ name: string; newName: string }>;
    };
    expect(kustomization.images.find((i) => i.name === 'voice-agent-grafana')?.newName).toMatch(
      /\/voice-agent-grafana$/,
    );
  });

  it('gives Grafana every variable provisioning/grafana reads', () => {
    const container = deployment?.spec.template.spec.containers.find((c: { name: string }) => c.name === 'grafana');
    const names = new Set<string>((container?.env ?? []).map((e: { name: string }) => e.name));
    for (const key of configMapKeys(objects, container?.envFrom ?? [])) names.add(key);
    for (const { variable, file } of provisioningVariables()) {
      if (variable in IMAGE_PROVIDED) continue;
      expect({ variable, file, provided: names.has(variable) }).toEqual({ variable, file, provided: true });
    }
  });
});

describe('the deploy workflow', () => {
  const workflow = parse(read('.github/workflows/deploy.yml')) as {
    jobs: Record<string, { steps: Array<Record<string, unknown>> }>;
  };
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);

  it('builds and pushes the Grafana image, and the hosts pull it', () => {
    const build = steps.find(
      (s) =>
        String(s.uses ?? '').startsWith('docker/build-push-action') &&
        JSON.stringify(s.with).includes('grafana.Dockerfile'),
    );
    expect(build).toBeDefined();
    expect(String((build!.with as Record<string, unknown>).tags)).toContain('voice-agent-grafana');
    expect(read('deploy/scripts/remote-deploy.sh')).toMatch(/pull --quiet voice-agent-api grafana/);
  });

  it('signs the plugin before it goes into the image, bound to the environment’s Grafana URL', () => {
    const sign = steps.find((s) => /@grafana\/sign-plugin@\d+\.\d+\.\d+/.test(String(s.run ?? '')));
    expect(sign).toBeDefined();
    expect(String(sign!.run)).toContain('--rootUrls');
    const build = steps.find((s) => JSON.stringify(s.with ?? {}).includes('grafana.Dockerfile'));
    expect(String((build!.with as Record<string, unknown>)['build-contexts'])).toContain('plugin-dist=');
  });
});

/** The image's own ENV (GF_PATHS_*): provided in every deployment. */
const IMAGE_PROVIDED = {
  GF_PATHS_PROVISIONING: true,
  GF_PATHS_CONFIG: true,
  GF_PATHS_PLUGINS: true,
  GF_PATHS_DATA: true,
};

/**
 * Every variable Grafana expands in the files it reads from provisioning/grafana: `$VAR`, `${VAR}`,
 * `$__env{VAR}` (values.go) and, in grafana.ini, `${VAR}` / `$__env{VAR}`. Rule annotations are not
 * expanded by Grafana (their `{{ $labels.x }}` stays), so they are left out; `$$` is a literal `$`.
 */
function provisioningVariables(): Array<{ variable: string; file: string }> {
  const found: Array<{ variable: string; file: string }> = [];
  const scan = (file: string, text: string) => {
    for (const m of text
      .replace(/\$\$/g, '')
      .matchAll(/\$__env\{([^}]+)\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const variable = (m[1] ?? m[2] ?? m[3])!;
      if (!variable.startsWith('__')) found.push({ variable, file });
    }
  };
  const dir = path.join(REPO, 'provisioning/grafana');
  for (const rel of ['datasources', 'plugins', 'dashboards', 'alerting'].flatMap((d) => listYaml(path.join(dir, d)))) {
    const file = path.relative(REPO, rel);
    const doc = parse(readFileSync(rel, 'utf8')) as { groups?: Array<{ rules?: Array<{ annotations?: unknown }> }> };
    for (const rule of doc?.groups?.flatMap((g) => g.rules ?? []) ?? []) delete rule.annotations;
    scan(file, JSON.stringify(doc));
  }
  scan('provisioning/grafana/grafana.ini', read('provisioning/grafana/grafana.ini').replace(/^[;#].*$/gm, ''));
  return found;
}

function listYaml(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .map((n) => path.join(dir, n));
}

/** A stage's text followed by the text of every stage it COPYs --from. */
function stageChain(dockerfile: string, stage: string, seen = new Set<string>()): string {
  if (seen.has(stage)) return '';
  seen.add(stage);
  const text = stageText(dockerfile, stage);
  const from = [...text.matchAll(/--from=(\S+)/g)].map((m) => m[1]!);
  return [text, ...from.map((f) => stageChain(dockerfile, f, seen))].join('\n');
}

/** The text of one build stage (FROM … AS name up to the next FROM). */
function stageText(dockerfile: string, stage: string): string {
  const start = dockerfile.search(new RegExp(`^FROM\\s+\\S+\\s+AS\\s+${stage}\\s*$`, 'im'));
  if (start === -1) return '';
  const next = dockerfile.slice(start + 1).search(/^FROM\s/m);
  return next === -1 ? dockerfile.slice(start) : dockerfile.slice(start, start + 1 + next);
}

type K8s = { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any

function k8sBase(): K8s[] {
  const kustomization = parse(read('deploy/k8s/base/kustomization.yaml')) as { resources: string[] };
  return kustomization.resources.flatMap((f) =>
    parseAllDocuments(read(path.join('deploy/k8s/base', f)))
      .map((d) => d.toJS() as K8s | null)
      .filter((d): d is K8s => d !== null),
  );
}

function configMapKeys(objects: K8s[], envFrom: Array<{ configMapRef?: { name: string } }>): string[] {
  return envFrom.flatMap((e) => {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === e.configMapRef?.name);
    return Object.keys(cm?.data ?? {});
  });
}

describe('the real-Grafana gate (.github/workflows/ci.yml, GitHub only)', () => {
  type Step = { run?: string; uses?: string; 'working-directory'?: string };
  const ci = parse(read('.github/workflows/ci.yml')) as { jobs: Record<string, { steps: Step[] }> };
  const runs = (job: string) => (ci.jobs[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');

  it('runs the @grafana/plugin-e2e specs against the Grafana image compose builds, with the repository provisioning', () => {
    const script = runs('grafana-e2e').replace(/\\\n\s*/g, ' ');
    expect(script).toMatch(
      /docker compose -f docker-compose\.yml -f deploy\/compose\/monitoring\.yml .*up -d --build --wait .*grafana voice-agent-api/,
    );
    // …and checks that the Grafana answering is the version grafana.Dockerfile pins.
    expect(script).toContain("sed -n 's/^ARG GRAFANA_IMAGE=//p' deploy/docker/grafana.Dockerfile");
    expect(script).toContain('npx playwright test');
    expect(read('plugin/playwright.config.ts')).toContain(
      "provisioningRootDir: join(__dirname, '..', 'provisioning', 'grafana')",
    );
  });

  it('runs the plugin validator and an API compatibility check against the pinned Grafana version', () => {
    const script = runs('plugin-compatibility');
    expect(script).toMatch(/@grafana\/plugin-validator@\d+\.\d+\.\d+/);
    expect(script).toMatch(/@grafana\/levitate@\d+\.\d+\.\d+ is-compatible --path plugin\/src\/module\.tsx/);
    expect(script).toContain('@grafana/data@$version,@grafana/ui@$version,@grafana/runtime@$version');
  });
});
