import { API_JOB, type GenerationSettings } from '../config';

/** A Prometheus recording rule: the dashboards' and alerts' heavy queries, computed once per evaluation. */
export interface RecordingRule {
  record: string;
  expr: string;
}

const job = `job="${API_JOB}"`;
/** Probes and scrapes are not user traffic; /readyz answering 503 during an outage is its job, not an error. */
const traffic = `${job},route!~"/metrics|/healthz|/readyz"`;

/** The error-budget SLO: 99.9 % of API and webhook requests answer without a 5xx. */
export const SLO_TARGET = 0.999;
export const ERROR_BUDGET = 1 - SLO_TARGET;
export const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

export const RECORDED = {
  errorRatio: (w: SloWindow) => `voice:http_request_errors:ratio_rate${w}`,
  webhookP50: 'voice:webhook_duration_seconds:p50_rate5m',
  webhookP95: 'voice:webhook_duration_seconds:p95_rate5m',
  webhookP99: 'voice:webhook_duration_seconds:p99_rate5m',
  storeP99: 'voice:store_duration_seconds:p99_rate5m',
  callSetupP95: 'voice:call_setup_seconds:p95_rate5m',
  turnLatencyP95: 'voice:turn_latency_seconds:p95_rate5m',
  capacityUtilization: 'voice:capacity_utilization:max',
  memoryRatio: 'voice:process_memory:ratio',
} as const;

const quantile = (q: number, metric: string, by: string[] = []) =>
  `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (rate(${metric}_bucket{${job}}[5m])))`;

/**
 * 5xx share of traffic over a window. `or vector(0)`: prom-client creates the status="5xx"
 * series only at the first error, and "no error series yet" means zero errors, not "unknown".
 * The denominator has no fallback, so no traffic still yields no data.
 */
function errorRatio(w: SloWindow): string {
  return (
    `(sum(rate(voice_http_request_duration_seconds_count{${traffic},status=~"5.."}[${w}])) or vector(0))` +
    ` / sum(rate(voice_http_request_duration_seconds_count{${traffic}}[${w}]))`
  );
}

export function recordingRules(settings: GenerationSettings): RecordingRule[] {
  return [
    ...SLO_WINDOWS.map((w) => ({ record: RECORDED.errorRatio(w), expr: errorRatio(w) })),
    { record: RECORDED.webhookP50, expr: quantile(0.5, 'voice_webhook_duration_seconds') },
    { record: RECORDED.webhookP95, expr: quantile(0.95, 'voice_webhook_duration_seconds') },
    { record: RECORDED.webhookP99, expr: quantile(0.99, 'voice_webhook_duration_seconds') },
    { record: RECORDED.storeP99, expr: quantile(0.99, 'voice_store_duration_seconds', ['store']) },
    { record: RECORDED.callSetupP95, expr: quantile(0.95, 'voice_call_setup_seconds') },
    { record: RECORDED.turnLatencyP95, expr: quantile(0.95, 'voice_turn_latency_seconds') },
    // Every replica reports the same shared count (live call state is in Redis): max, not sum.
    { record: RECORDED.capacityUtilization, expr: `max(voice_capacity_utilization{${job}})` },
    {
      record: RECORDED.memoryRatio,
      expr: `process_resident_memory_bytes{${job}} / ${settings.memoryLimitBytes}`,
    },
  ];
}
