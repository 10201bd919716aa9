/**
 * Renders both overlays with the real kustomize (built from its Go module by
 * deploy/scripts/install-test-tools.sh) and validates every rendered manifest.
 */
import { execFileSync } from 'node:child_process';
import { clusterRules, validateSchemas, workloadRules, type K8sObject } from './support/k8s-rules';
import { repoPath } from './support/paths';
import { ensureTools } from './support/tools';
import { parseYamlStream } from './support/yaml-files';

jest.setTimeout(300_000);

const OVERLAYS = {
  staging: {
    namespace: 'voice-agent-staging',
    host: 'staging.voice.example.com',
    issuer: 'letsencrypt-staging',
    max: 6,
  },
  production: { namespace: 'voice-agent', host: 'voice.example.com', issuer: 'letsencrypt-prod', max: 20 },
} as const;

describe.each(Object.entries(OVERLAYS))('kustomize build deploy/k8s/overlays/%s', (name, want) => {
  let objects: K8sObject[] = [];

  beforeAll(() => {
    const kustomize = ensureTools('kustomize');
    const out = execFileSync(kustomize, ['build', repoPath('deploy/k8s/overlays', name)], { encoding: 'utf8' });
    objects = parseYamlStream(out) as unknown as K8sObject[];
  });

  test('renders every kind', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      [
        'ConfigMap',
        'ConfigMap',
        'CronJob',
        'Deployment',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Ingress',
        'Ingress',
        'Namespace',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'PersistentVolumeClaim',
        'PersistentVolumeClaim',
        'PodDisruptionBudget',
        'Service',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
  });

  test('every rendered manifest is valid against the Kubernetes OpenAPI schema', () => {
    expect(validateSchemas(objects).filter((r) => r.errors.length > 0)).toEqual([]);
  });

  test('our rules hold', () => {
    expect(workloadRules(objects)).toEqual([]);
    expect(clusterRules(objects)).toEqual([]);
  });

  test("namespace, host, issuer and HPA bounds are the overlay's", () => {
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
      expect((o.metadata as { namespace?: string }).namespace).toBe(want.namespace);
    }
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    expect(ingresses).toHaveLength(2);
    for (const ingress of ingresses) {
      expect(ingress.metadata.annotations!['cert-manager.io/cluster-issuer']).toBe(want.issuer);
      expect(ingress.spec.rules[0].host).toBe(want.host);
      expect(ingress.spec.tls[0].hosts).toEqual([want.host]);
    }
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    expect(hpa.spec.maxReplicas).toBe(want.max);
    const imageOf = (name: string) =>
      objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.spec.template.spec.containers[0].image;
    expect(imageOf('voice-agent-api')).toMatch(/^ghcr\.io\/magnificentworldwide\/voice-agent-api:\d+\.\d+\.\d+$/);
    // Grafana's image carries a plugin signed for this environment's URL.
    expect(imageOf('grafana')).toMatch(
      new RegExp(`^ghcr\\.io/magnificentworldwide/voice-agent-grafana:\\d+\\.\\d+\\.\\d+-${name}$`),
    );
    const grafanaConfig = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('grafana-config'))!;
    expect((grafanaConfig as unknown as { data: Record<string, string> }).data.GF_SERVER_ROOT_URL).toBe(
      `https://${want.host}/grafana/`,
    );
  });
});
