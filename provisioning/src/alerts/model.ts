/**
 * The one alert-rule model both engines are generated from (Prometheus rule files and
 * Grafana-managed rules). Alerts are written once, in ./rules.ts.
 */
export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export type Comparison = '>' | '<';

/** Fires for every series of `value` that compares true against `threshold`. */
export interface ThresholdCondition {
  kind: 'threshold';
  /** PromQL whose result is the alert's value (also what the live test checks returns data). */
  value: string;
  op: Comparison;
  threshold: number;
}

/** Fires for every series `promql` returns (for compound logic such as multi-window burn rates). */
export interface ExpressionCondition {
  kind: 'expression';
  promql: string;
  /** The value expressions the condition is built from; each must return data on a live system. */
  inputs: string[];
}

/** One promtool unit-test case: input series, one evaluation time, the alerts expected then. */
export interface AlertCase {
  name: string;
  /** Sample spacing of `series` (promtool `interval`). */
  interval: string;
  /** series selector → promtool expanding notation, e.g. '0+10x30'. */
  series: Record<string, string>;
  evalTime: string;
  /** Labels of each expected firing alert (the rule's own labels are added); [] = must be silent. */
  fires: Record<string, string>[];
}

export interface AlertRule {
  /** Prometheus alertname and Grafana rule title. */
  name: string;
  /** Stable Grafana rule uid (≤ 40 characters). */
  uid: string;
  severity: Severity;
  /** How long the condition must hold before the alert fires. */
  for: string;
  condition: ThresholdCondition | ExpressionCondition;
  /** May use {{ $labels.NAME }}; rendered identically by Prometheus and Grafana. */
  summary: string;
  description: string;
  /** Grafana state when the query returns nothing: a threshold on missing data is itself suspicious. */
  noData?: 'OK' | 'NoData' | 'Alerting';
  cases: AlertCase[];
}

/** The PromQL an alert fires on (Prometheus `expr`). */
export function alertExpr(rule: AlertRule): string {
  const c = rule.condition;
  return c.kind === 'threshold' ? `${c.value} ${c.op} ${c.threshold}` : c.promql;
}

/** The value expressions behind an alert: what must return data on a live system. */
export function alertInputs(rule: AlertRule): string[] {
  const c = rule.condition;
  return c.kind === 'threshold' ? [c.value] : c.inputs;
}

export function ruleLabels(rule: AlertRule): Record<string, string> {
  return { severity: rule.severity };
}

/** Renders {{ $labels.NAME }} the way both engines do, for the expected annotations of tests. */
export function renderTemplate(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_m, name: string) => labels[name] ?? '');
}
