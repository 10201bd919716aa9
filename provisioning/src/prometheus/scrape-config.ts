import { API_JOB } from '../config';
import { RULE_FILES } from './rule-files';

/**
 * prometheus.yml. Compose runs a fixed set of replicas, so they are static targets: a replica
 * that dies stays a target and `up == 0` fires ReplicaDown (DNS service discovery would drop
 * the dead container from the answer and the alert could never fire). Kubernetes uses pod
 * discovery instead (kubernetesScrapeConfig), where crashed pods remain targets too.
 */
export interface PrometheusConfigOptions {
  apiTargets: string[];
  alertmanagers: string[];
  /** Prometheus's own address, scraped as job "prometheus". */
  selfTarget: string;
  scrapeInterval: string;
  /**
   * The API answers /metrics after probing its stores, so a dead store slows the scrape (seconds,
   * while the driver gives up); a generous timeout keeps that a StoreDown, not a ReplicaDown.
   */
  apiScrapeTimeout: string;
  evaluationInterval: string;
  /** Paths of rule files as Prometheus will read them (relative to the config file). */
  ruleFiles: string[];
}

export const COMPOSE_PROMETHEUS: PrometheusConfigOptions = {
  apiTargets: ['voice-agent-api-1:5000', 'voice-agent-api-2:5000', 'voice-agent-api-3:5000'],
  alertmanagers: ['alertmanager:9093'],
  selfTarget: 'localhost:9090',
  scrapeInterval: '15s',
  apiScrapeTimeout: '10s',
  evaluationInterval: '30s',
  ruleFiles: [RULE_FILES.recording, RULE_FILES.alerts],
};

export function prometheusConfig(o: PrometheusConfigOptions) {
  return {
    global: {
      scrape_interval: o.scrapeInterval,
      evaluation_interval: o.evaluationInterval,
      external_labels: { platform: 'magnificent-worldwide-voice-agent' },
    },
    rule_files: o.ruleFiles,
    alerting: { alertmanagers: [{ static_configs: [{ targets: o.alertmanagers }] }] },
    scrape_configs: [
      { job_name: 'prometheus', static_configs: [{ targets: [o.selfTarget] }] },
      {
        job_name: API_JOB,
        metrics_path: '/metrics',
        scrape_timeout: o.apiScrapeTimeout,
        static_configs: [{ targets: o.apiTargets }],
      },
    ],
  };
}

/** The scrape job for the Kubernetes overlay: every pod labelled app.kubernetes.io/name=voice-agent-api. */
export function kubernetesScrapeConfig() {
  return {
    scrape_configs: [
      {
        job_name: API_JOB,
        metrics_path: '/metrics',
        scrape_timeout: COMPOSE_PROMETHEUS.apiScrapeTimeout,
        kubernetes_sd_configs: [{ role: 'pod' }],
        relabel_configs: [
          {
            source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
            regex: API_JOB,
            action: 'keep',
          },
          { source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: '5000', action: 'keep' },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ],
      },
    ],
  };
}
