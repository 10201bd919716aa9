/**
 * deploy/k8s/base without kustomize (Node only): every manifest against the Kubernetes OpenAPI
 * schemas (npm kubernetes-models) and our rules, with the base's `images:` applied as kustomize
 * would. k8s-render.stack.test.ts renders the overlays with the real kustomize binary.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { clusterRules, validateSchemas, workloadRules, type K8sObject } from './support/k8s-rules';
import { repoPath } from './support/paths';
import { parseYamlStream } from './support/yaml-files';

const baseDir = repoPath('deploy/k8s/base');
const kustomization = parseYamlStream(readFileSync(`${baseDir}/kustomization.yaml`, 'utf8'))[0] as {
  resources: string[];
  images: Array<{ name: string; newName: string; newTag: string }>;
};
const objects = kustomization.resources.flatMap(
  (f) => parseYamlStream(readFileSync(`${baseDir}/${f}`, 'utf8')) as unknown as K8sObject[],
);

function withImages(objs: K8sObject[]): K8sObject[] {
  const text = JSON.stringify(objs).replace(/"image":"([^"]+)"/g, (m, name: string) => {
    const img = kustomization.images.find((i) => i.name === name);
    return img ? `"image":"${img.newName}:${img.newTag}"` : m;
  });
  return JSON.parse(text) as K8sObject[];
}

describe('deploy/k8s/base', () => {
  test('every resource file is listed in kustomization.yaml', () => {
    const files = readdirSync(baseDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect(files.sort()).toEqual([...kustomization.resources].sort());
  });

  test('every manifest is valid against the Kubernetes OpenAPI schema', () => {
    const results = validateSchemas(objects);
    expect(results.length).toBe(objects.length);
    expect(results.filter((r) => r.errors.length > 0)).toEqual([]);
  });

  test('the schema validation rejects an invalid manifest', () => {
    const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'three' } };
    const [result] = validateSchemas([bad as unknown as K8sObject]);
    expect(result!.errors.length).toBeGreaterThan(0);
  });

  test('workloads: probes, preStop, resources, non-root, read-only root fs, pinned image', () => {
    expect(workloadRules(withImages(objects))).toEqual([]);
  });

  test('cluster: 3+ replicas, HPA on CPU and voice_calls_active, PDB, default deny, cert-manager, no Secret', () => {
    expect(clusterRules(objects)).toEqual([]);
  });

  test('the rules catch violations', () => {
    const broken = withImages(objects).map((o) => structuredClone(o));
    const dep = broken.find((o) => o.kind === 'Deployment')!;
    dep.spec.replicas = 1;
    const c = dep.spec.template.spec.containers[0];
    c.image = 'ghcr.io/x/api:latest';
    delete c.readinessProbe;
    delete c.resources.limits;
    c.securityContext.readOnlyRootFilesystem = false;
    expect(workloadRules(broken)).toEqual([
      'Deployment/voice-agent-api/api: image ghcr.io/x/api:latest not pinned',
      'Deployment/voice-agent-api/api: no limits',
      'Deployment/voice-agent-api/api: root fs not read-only',
      'Deployment/voice-agent-api/api: readiness is not /readyz',
    ]);
    const noDeny = broken.filter((o) => o.metadata.name !== 'default-deny-all' && o.kind !== 'PodDisruptionBudget');
    expect(clusterRules(noDeny)).toEqual([
      'Deployment: fewer than 3 replicas',
      'no PodDisruptionBudget',
      'no default-deny NetworkPolicy',
    ]);
  });

  test('NetworkPolicies: only the API (and the backup job) reach the stores', () => {
    const stores = objects.find((o) => o.metadata.name === 'stores-ingress-from-api-only')!;
    const from = stores.spec.ingress[0].from[0].podSelector.matchExpressions[0];
    expect(from.values).toEqual(['voice-agent-api', 'voice-agent-backup']);
    expect(stores.spec.ingress).toHaveLength(1);
  });

  test('ingress: only webhooks (idempotent by event id) are retried on another pod, and their rate limit fits 1000 calls', () => {
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    const annotation = (o: K8sObject, key: string) => o.metadata.annotations?.[`nginx.ingress.kubernetes.io/${key}`];
    const paths = (o: K8sObject) =>
      o.spec.rules.flatMap((r: K8sObject['spec']) => r.http.paths.map((p: { path: string }) => p.path));
    for (const ingress of ingresses) {
      const retriesPost = /non_idempotent/.test(annotation(ingress, 'proxy-next-upstream') ?? '');
      expect({ paths: paths(ingress), retriesPost }).toEqual({
        paths: paths(ingress),
        retriesPost: paths(ingress).every((p: string) => p === '/telnyx/webhooks'),
      });
    }
    const webhooks = ingresses.find((o) => paths(o).includes('/telnyx/webhooks'))!;
    // 1000 concurrent calls × about 17 webhooks per call, delivered in bursts from a few addresses.
    expect(Number(annotation(webhooks, 'limit-rps'))).toBeGreaterThanOrEqual(1000);
    expect(ingresses.flatMap(paths).sort()).toEqual(['/api', '/grafana', '/readyz', '/telnyx/webhooks']);
  });

  test('the backup CronJob runs `voice-agent backup --out`', () => {
    const cron = objects.find((o) => o.kind === 'CronJob')!;
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(['backup', '--out', '/backups']);
  });
});
