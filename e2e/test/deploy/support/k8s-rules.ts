/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are free-form JSON, read field by field */
/** Our own rules for rendered Kubernetes manifests (beyond the OpenAPI schemas). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: any;
};

export interface SchemaResult {
  kind: string;
  name: string;
  errors: string[];
}

/** OpenAPI validation through npm kubernetes-models (support/k8s-validate.mjs). */
export function validateSchemas(objects: K8sObject[]): SchemaResult[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'k8s-validate.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    cwd: join(__dirname, '..', '..', '..'),
  });
  return JSON.parse(out) as SchemaResult[];
}

/** The probes each long-running workload must have (the API drains on preStop; Grafana has /api/health). */
type Probes = { readiness: string; liveness: string; preStop: boolean } | null;
const PROBES: Record<string, Probes> = {
  grafana: { readiness: '/api/health', liveness: '/api/health', preStop: false },
};
const API_PROBES: Probes = { readiness: '/readyz', liveness: '/healthz', preStop: true };

function podSpecs(objects: K8sObject[]): Array<{ where: string; pod: any; probes: Probes }> {
  const out = [];
  for (const o of objects) {
    if (o.kind === 'Deployment')
      out.push({
        where: `Deployment/${o.metadata.name}`,
        pod: o.spec.template.spec,
        probes: PROBES[o.metadata.name] ?? API_PROBES,
      });
    if (o.kind === 'CronJob')
      out.push({ where: `CronJob/${o.metadata.name}`, pod: o.spec.jobTemplate.spec.template.spec, probes: null });
  }
  return out;
}

export function workloadRules(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { where, pod, probes } of podSpecs(objects)) {
    if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
    for (const c of pod.containers ?? []) {
      const at = `${where}/${c.name}`;
      const tag = /:([^/:]+)$/.exec(c.image ?? '')?.[1];
      if (!String(c.image).includes('@sha256:') && (!tag || tag === 'latest'))
        problems.push(`${at}: image ${c.image} not pinned`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) problems.push(`${at}: no requests`);
      if (!c.resources?.limits?.cpu || !c.resources?.limits?.memory) problems.push(`${at}: no limits`);
      if (c.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${at}: root fs not read-only`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${at}: privilege escalation allowed`);
      if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL'))
        problems.push(`${at}: capabilities not dropped`);
      const tmp = (c.volumeMounts ?? []).find((m: { mountPath: string }) => m.mountPath === '/tmp');
      if (!tmp) problems.push(`${at}: no writable /tmp`);
      if (probes) {
        if (c.readinessProbe?.httpGet?.path !== probes.readiness)
          problems.push(`${at}: readiness is not ${probes.readiness}`);
        if (c.livenessProbe?.httpGet?.path !== probes.liveness)
          problems.push(`${at}: liveness is not ${probes.liveness}`);
        if (probes.preStop && !c.lifecycle?.preStop) problems.push(`${at}: no preStop`);
      }
    }
  }
  return problems;
}

export function clusterRules(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const find = (kind: string) => objects.filter((o) => o.kind === kind);
  const deployment = find('Deployment').find((d) => d.metadata.name === 'voice-agent-api');
  if ((deployment?.spec?.replicas ?? 0) < 3) problems.push('Deployment: fewer than 3 replicas');
  const hpa = find('HorizontalPodAutoscaler')[0];
  if (!hpa || hpa.apiVersion !== 'autoscaling/v2') problems.push('no autoscaling/v2 HPA');
  else {
    if ((hpa.spec.minReplicas ?? 0) < 3) problems.push('HPA: minReplicas below 3');
    const metrics = hpa.spec.metrics ?? [];
    if (!metrics.some((m: any) => m.resource?.name === 'cpu')) problems.push('HPA: no CPU metric');
    if (!metrics.some((m: any) => (m.external ?? m.pods)?.metric?.name === 'voice_calls_active')) {
      problems.push('HPA: no voice_calls_active metric');
    }
  }
  if (find('PodDisruptionBudget').length === 0) problems.push('no PodDisruptionBudget');
  const policies = find('NetworkPolicy');
  const denyAll = policies.find(
    (p) =>
      Object.keys(p.spec.podSelector ?? {}).length === 0 &&
      !p.spec.ingress &&
      !p.spec.egress &&
      ['Ingress', 'Egress'].every((t) => (p.spec.policyTypes ?? []).includes(t)),
  );
  if (!denyAll) problems.push('no default-deny NetworkPolicy');
  const ingress = find('Ingress')[0];
  if (!ingress?.metadata.annotations?.['cert-manager.io/cluster-issuer'])
    problems.push('Ingress: no cert-manager issuer');
  if (!ingress?.spec?.tls?.length) problems.push('Ingress: no TLS');
  if (find('Secret').length > 0) problems.push('a Secret is committed in the manifests');
  if (find('CronJob').length === 0) problems.push('no backup CronJob');
  return problems;
}
