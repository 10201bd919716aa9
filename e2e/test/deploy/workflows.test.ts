/** .github/workflows against SchemaStore's github-workflow schema (vendored) and our rules. */
import Ajv from 'ajv';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './support/paths';
import { loadYaml } from './support/yaml-files';

const schema = JSON.parse(readFileSync(join(__dirname, 'schemas', 'github-workflows.json'), 'utf8')) as object;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
const files = readdirSync(repoPath('.github/workflows')).filter((f) => f.endsWith('.yml'));
const text = (f: string) => readFileSync(repoPath('.github/workflows', f), 'utf8');

describe('GitHub workflows', () => {
  test('ci, deploy and release-plugin exist', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml', 'release-plugin.yml']);
  });

  test.each(files)('%s is valid against the workflow schema', (file) => {
    const ok = validate(loadYaml(`.github/workflows/${file}`));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('the schema rejects a malformed workflow', () => {
    expect(
      validate({ on: 'push', jobs: { x: { 'runs-on': 'ubuntu-24.04', steps: [{ uses: 'a@v1', run: 'b' }] } } }),
    ).toBe(false);
    expect(validate({ on: 'push', jobs: { x: { steps: [{ run: 'b' }] } } })).toBe(false);
  });

  test('deploy runs after CI succeeded: staging branch -> staging, main -> production with 3 replicas', () => {
    const wf = loadYaml('.github/workflows/deploy.yml') as {
      on: { workflow_run: { workflows: string[]; branches: string[] } };
      jobs: Record<
        string,
        { if?: string; environment?: { name: string }; steps: Array<{ run?: string; env?: object }> }
      >;
    };
    expect(wf.on.workflow_run.workflows).toEqual(['CI']);
    expect(wf.jobs.image!.if).toContain("conclusion == 'success'");
    expect(wf.jobs.staging!.if).toContain("head_branch == 'staging'");
    expect(wf.jobs.production!.if).toContain("head_branch == 'main'");
    expect(wf.jobs.production!.environment!.name).toBe('production');
    expect(JSON.stringify(wf.jobs.production!.steps)).toContain('--replicas 3');
    expect(readFileSync(repoPath('deploy/scripts/remote-deploy.sh'), 'utf8')).toContain(
      '--scale "voice-agent-api=$replicas"',
    );
    expect(text('deploy.yml')).toContain('secrets.DEPLOY_SSH_KEY');
  });

  test('release-plugin signs with @grafana/sign-plugin, rootUrls from a variable, zip + checksum', () => {
    const t = text('release-plugin.yml');
    expect(t).toContain('secrets.GRAFANA_ACCESS_POLICY_TOKEN');
    expect(t).toMatch(/npx --yes @grafana\/sign-plugin@\d+\.\d+\.\d+ --rootUrls "\$ROOT_URLS"/);
    expect(t).toContain('vars.GRAFANA_ROOT_URLS');
    expect(t).toMatch(/sha256sum "\$zip_name"/);
    expect(t).toContain('gh release create');
  });

  test('ci covers lint, typecheck, tests, plugin build, real services and deployment validation', () => {
    const t = text('ci.yml');
    for (const s of [
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'npm run build',
      'npm run test:stack',
      'docker compose',
      'kustomize',
    ]) {
      expect(t).toContain(s);
    }
  });

  test('every action is pinned to a version', () => {
    for (const f of files) {
      for (const m of text(f).matchAll(/uses: (\S+)/g)) expect(m[1]).toMatch(/@v\d+|@[0-9a-f]{40}$/);
    }
  });
});
