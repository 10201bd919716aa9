import type { GenerationSettings } from '../config';
import { alertExpr, renderTemplate, ruleLabels, type AlertRule } from '../alerts/model';
import { recordingRules } from './recording-rules';

/** Prometheus rule-file shapes (https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/). */
export interface PromRuleFile {
  groups: { name: string; interval?: string; rules: PromRule[] }[];
}
export type PromRule =
  | { record: string; expr: string }
  | { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> };

export const RULE_FILES = { recording: 'rules/recording.yml', alerts: 'rules/alerts.yml' } as const;

export function recordingRuleFile(settings: GenerationSettings): PromRuleFile {
  return { groups: [{ name: 'voice-agent-api.recording', rules: recordingRules(settings) }] };
}

export function alertRuleFile(rules: AlertRule[]): PromRuleFile {
  return {
    groups: [
      {
        name: 'voice-agent-api.alerts',
        rules: rules.map((r) => ({
          alert: r.name,
          expr: alertExpr(r),
          for: r.for,
          labels: ruleLabels(r),
          annotations: { summary: r.summary, description: r.description },
        })),
      },
    ],
  };
}

/** `promtool test rules` file: every case of every alert, run against both rule files. */
export function promtoolTests(rules: AlertRule[]) {
  return {
    rule_files: [`../${RULE_FILES.recording}`, `../${RULE_FILES.alerts}`],
    evaluation_interval: '1m',
    tests: rules.flatMap((rule) =>
      rule.cases.map((c) => ({
        name: `${rule.name}: ${c.name}`,
        interval: c.interval,
        input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
        alert_rule_test: [
          {
            eval_time: c.evalTime,
            alertname: rule.name,
            exp_alerts: c.fires.map((labels) => ({
              exp_labels: { ...labels, ...ruleLabels(rule) },
              exp_annotations: {
                summary: renderTemplate(rule.summary, labels),
                description: renderTemplate(rule.description, labels),
              },
            })),
          },
        ],
      })),
    ),
  };
}
