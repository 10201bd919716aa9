import { DEFAULT_SETTINGS } from '../src/config';
import { alertExpr, alertInputs, renderTemplate } from '../src/alerts/model';
import { alertRules } from '../src/alerts/rules';
import { alertRulesProvisioning, grafanaRule } from '../src/grafana/alerting';
import { alertRuleFile, promtoolTests } from '../src/prometheus/rule-files';
import { recordingRules } from '../src/prometheus/recording-rules';

const rules = alertRules(DEFAULT_SETTINGS);

describe('the one alert source', () => {
  it('covers every alert the platform promises', () => {
    expect(rules.map((r) => r.name).sort()).toEqual(
      [
        'BackupStale',
        'BeastModeRegression',
        'CallSetupSlow',
        'CapacityUtilisationHigh',
        'ErrorBudgetBurnFast',
        'ErrorBudgetBurnSlow',
        'MemoryHigh',
        'ReplicaDown',
        'StoreDown',
        'StoreLatencyHigh',
        'VoiceDeadLetterEventsGrowing',
        'WebhookLatencyHigh',
      ].sort(),
    );
  });

  it.each(rules.map((r) => [r.name, r]))('%s has a firing and a silent promtool case', (_n, rule) => {
    expect(rule.cases.some((c) => c.fires.length > 0)).toBe(true);
    expect(rule.cases.some((c) => c.fires.length === 0)).toBe(true);
  });

  it('has unique names and Grafana uids of at most 40 characters', () => {
    expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r.uid)).size).toBe(rules.length);
    for (const r of rules) expect(r.uid.length).toBeLessThanOrEqual(40);
  });

  it('emits the same alerts, durations and severities to Prometheus and to Grafana', () => {
    const prom = alertRuleFile(rules).groups[0]!.rules as {
      alert: string;
      for: string;
      labels: object;
      expr: string;
    }[];
    const grafana = alertRulesProvisioning(rules).groups[0]!.rules;
    expect(prom.map((r) => [r.alert, r.for, r.labels])).toEqual(grafana.map((r) => [r.title, r.for, r.labels]));
    expect(prom.map((r) => r.expr)).toEqual(rules.map(alertExpr));
  });

  it('gives Grafana the threshold as an editable expression and the PromQL unchanged', () => {
    for (const rule of rules) {
      const built = JSON.parse(JSON.stringify(grafanaRule(rule))) as {
        condition: string;
        data: {
          refId: string;
          model: { expr?: string; type?: string; conditions?: { evaluator: { type: string; params: number[] } }[] };
        }[];
      };
      expect(built.data.map((d) => d.refId)).toEqual(['A', 'B', 'C']);
      expect(built.condition).toBe('C');
      const c = rule.condition;
      const evaluator = built.data[2]!.model.conditions![0]!.evaluator;
      if (c.kind === 'threshold') {
        expect(built.data[0]!.model.expr).toBe(c.value);
        expect(evaluator).toEqual({ type: c.op === '>' ? 'gt' : 'lt', params: [c.threshold] });
      } else {
        expect(built.data[0]!.model.expr).toBe(c.promql);
        expect(evaluator).toEqual({ type: 'gt', params: [0] });
      }
    }
  });

  it('only uses recorded series that a recording rule produces', () => {
    const recorded = new Set(recordingRules(DEFAULT_SETTINGS).map((r) => r.record));
    for (const rule of rules) {
      for (const name of `${alertExpr(rule)} ${alertInputs(rule).join(' ')}`.match(/\bvoice:[a-z0-9_:]+/g) ?? []) {
        expect(recorded).toContain(name);
      }
    }
  });

  it('expects the rendered annotations in promtool tests', () => {
    const tests = promtoolTests(rules).tests;
    const storeDown = tests.find((t) => t.name.startsWith('StoreDown: fires'))!;
    expect(storeDown.alert_rule_test[0]!.exp_alerts[0]!.exp_annotations.summary).toBe(
      'Store redis is not answering voice-agent-api-1:5000',
    );
    expect(renderTemplate('{{ $labels.a }}-{{$labels.b}}', { a: '1', b: '2' })).toBe('1-2');
  });
});
