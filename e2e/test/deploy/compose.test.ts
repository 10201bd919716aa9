/**
 * docker-compose.yml, its overlays and docker-compose.test.yml: the compose-spec JSON schema
 * (vendored, schemas/README.md) and our own rules. No Docker engine is needed; CI's
 * deploy-validation job also runs `docker compose config` on a Docker host.
 */
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dependsOnHealthyRule,
  healthcheckRule,
  noLiteralSecretsRule,
  noPublishedDatabasePortsRule,
  pinnedImagesRule,
  restartAndLimitsRule,
  type ComposeFile,
} from './support/compose-rules';
import { loadYaml } from './support/yaml-files';

const schema = JSON.parse(readFileSync(join(__dirname, 'schemas', 'compose-spec.json'), 'utf8')) as object;
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

const FILES = ['docker-compose.yml', 'deploy/compose/monitoring.yml', 'docker-compose.test.yml'];
const base = loadYaml('docker-compose.yml') as ComposeFile;
const monitoring = loadYaml('deploy/compose/monitoring.yml') as ComposeFile;
const testFile = loadYaml('docker-compose.test.yml') as ComposeFile;

/** What `docker compose -f a -f b config` merges, for the keys our rules read. */
function merged(...files: ComposeFile[]): ComposeFile {
  const services: Record<string, Record<string, unknown>> = {};
  for (const f of files) {
    for (const [name, s] of Object.entries(f.services ?? {})) {
      const prev = services[name] ?? {};
      services[name] = {
        ...prev,
        ...s,
        environment: { ...((prev.environment as object) ?? {}), ...((s.environment as object) ?? {}) },
      };
    }
  }
  return { services, networks: Object.assign({}, ...files.map((f) => f.networks ?? {})) } as ComposeFile;
}

describe('compose files', () => {
  test.each(FILES)('%s is valid against the compose-spec schema', (file) => {
    const ok = validate(loadYaml(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('the schema rejects a malformed service (the validator is really checking)', () => {
    expect(validate({ services: { api: { image: 'x:1', healthcheck: { interval: 10 }, restart: 'sometimes' } } })).toBe(
      false,
    );
    expect(validate({ services: { api: { image: 'x:1', pots: ['80:80'] } } })).toBe(false);
  });

  const stack = merged(base, monitoring);
  const services = stack.services!;

  test('the seed services are all there', () => {
    for (const s of [
      'voice-agent-api',
      'grafana',
      'neo4j',
      'chroma',
      'mongodb',
      'postgres',
      'redis',
      'nginx',
      'certbot',
      'prometheus',
      'alertmanager',
    ]) {
      expect(Object.keys(services)).toContain(s);
    }
  });

  test('every service has a healthcheck, a restart policy and cpu/memory limits', () => {
    expect(healthcheckRule(stack)).toEqual([]);
    expect(restartAndLimitsRule(stack, { restart: true })).toEqual([]);
    expect(healthcheckRule(testFile)).toEqual([]);
    expect(restartAndLimitsRule(testFile, { restart: false })).toEqual([]);
  });

  test('depends_on always waits for service_healthy', () => {
    expect(dependsOnHealthyRule(stack)).toEqual([]);
    expect(dependsOnHealthyRule(testFile)).toEqual([]);
  });

  test('no database publishes a port; only nginx does', () => {
    expect(noPublishedDatabasePortsRule(stack)).toEqual([]);
    const publishing = Object.entries(services)
      .filter(([, s]) => (s.ports?.length ?? 0) > 0)
      .map(([n]) => n);
    expect(publishing).toEqual(['nginx']);
  });

  test('no literal secrets, no default passwords', () => {
    expect(noLiteralSecretsRule(stack)).toEqual([]);
    expect(noLiteralSecretsRule(testFile)).toEqual([]);
    const text = FILES.map((f) => readFileSync(join(__dirname, '..', '..', '..', f), 'utf8')).join('\n');
    expect(text).not.toMatch(/magnificent2024/);
  });

  test('every image is pinned to a version tag', () => {
    expect(pinnedImagesRule(stack)).toEqual([]);
    expect(pinnedImagesRule(testFile)).toEqual([]);
  });

  test('networks: data is internal; stores sit on data only; the API spans app and data', () => {
    expect(base.networks?.data?.internal).toBe(true);
    for (const store of ['postgres', 'mongodb', 'neo4j', 'chroma', 'redis'])
      expect(services[store]!.networks).toEqual(['data']);
    expect(services['voice-agent-api']!.networks).toEqual(['app', 'data']);
    expect(services.nginx!.networks).toEqual(['edge', 'app']);
    expect(services['voice-agent-api']!.deploy).toMatchObject({ replicas: 3 });
    expect(services['voice-agent-api']!.ports).toBeUndefined();
  });

  test('mongodb runs as a replica set; grafana is built with the plugin and provisioning inside', () => {
    expect(JSON.stringify(services.mongodb!.entrypoint)).toContain('--replSet rs0');
    // A fresh checkout has no plugin/dist: the image builds it (e2e/test/grafana checks the rest).
    expect(services.grafana!.build).toEqual({ context: '.', dockerfile: 'deploy/docker/grafana.Dockerfile' });
    expect(JSON.stringify(services.grafana!.volumes)).not.toContain('plugin/dist');
  });

  describe('the rules catch violations', () => {
    const bad: ComposeFile = {
      services: {
        db: { image: 'postgres:latest', ports: ['5432:5432'], environment: { POSTGRES_PASSWORD: 'hunter2' } },
        api: {
          image: 'api',
          depends_on: ['db'],
          environment: { DB_URL: 'postgres://u:secret@db/x', API_TOKEN: '${API_TOKEN:-changeme}' },
        },
      },
    };
    test.each([
      ['healthcheck', healthcheckRule(bad), 2],
      ['depends_on', dependsOnHealthyRule(bad), 1],
      ['published db port', noPublishedDatabasePortsRule(bad), 1],
      ['literal secrets', noLiteralSecretsRule(bad), 3],
      ['pinned images', pinnedImagesRule(bad), 2],
      ['restart + limits', restartAndLimitsRule(bad, { restart: true }), 4],
    ])('%s', (_name, problems, count) => {
      expect(problems).toHaveLength(count);
    });
  });
});
