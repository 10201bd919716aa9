import * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import * as expr from '@grafana/grafana-foundation-sdk/expr';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { DATASOURCE_UIDS, GRAFANA_FOLDER } from '../config';
import { alertExpr, ruleLabels, SEVERITIES, type AlertRule, type Severity } from '../alerts/model';
import { envRef, GRAFANA_ENV } from './env';

/**
 * Grafana-managed copies of the alert rules, built with the foundation SDK and written in
 * Grafana's file-provisioning format (alerting/*.yml). Provisioned rules are read-only in the
 * UI: ops change rules in ../alerts/rules.ts and reload (see README "Changing an alert").
 */
export const RULE_GROUP = 'voice-agent-api';
const EXPRESSION_DS = { type: '__expr__', uid: DATASOURCE_UIDS.expression };

function queries(rule: AlertRule) {
  const c = rule.condition;
  // A: the PromQL. A threshold rule queries its value so Grafana's threshold (C) holds the number
  // ops see in the UI; an expression rule returns series only while its condition holds.
  const promql = c.kind === 'threshold' ? c.value : alertExpr(rule);
  const a = new alerting.QueryBuilder('A')
    .datasourceUid(DATASOURCE_UIDS.prometheus)
    .relativeTimeRange({ from: 600, to: 0 })
    .model(
      new prometheus.DataqueryBuilder()
        .expr(promql)
        .instant()
        .refId('A')
        .datasource({ type: 'prometheus', uid: DATASOURCE_UIDS.prometheus }),
    );
  const b = new alerting.QueryBuilder('B')
    .datasourceUid(DATASOURCE_UIDS.expression)
    .model(
      new expr.TypeReduceBuilder()
        .refId('B')
        .expression('A')
        .reducer('last')
        .settings({ mode: 'dropNN' })
        .datasource(EXPRESSION_DS),
    );
  const evaluator =
    c.kind === 'threshold'
      ? { type: c.op === '>' ? ('gt' as const) : ('lt' as const), params: [c.threshold] }
      : { type: 'gt' as const, params: [0] };
  const threshold = new alerting.QueryBuilder('C')
    .datasourceUid(DATASOURCE_UIDS.expression)
    .model(
      new expr.TypeThresholdBuilder().refId('C').expression('B').conditions([{ evaluator }]).datasource(EXPRESSION_DS),
    );
  return [a, b, threshold];
}

export function grafanaRule(rule: AlertRule): alerting.Rule {
  return new alerting.RuleBuilder(rule.name)
    .uid(rule.uid)
    .orgID(1)
    .folderUID(GRAFANA_FOLDER.uid)
    .ruleGroup(RULE_GROUP)
    .queries(queries(rule))
    .condition('C')
    .forDuration(rule.for)
    .noDataState(rule.noData ?? 'NoData')
    .execErrState('Error')
    .labels(ruleLabels(rule))
    .annotations({ summary: rule.summary, description: rule.description })
    .isPaused(false)
    .build();
}

/** Strips the SDK's runtime-only members so only data reaches YAML. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Grafana's file format for rule groups (it differs from the HTTP API's: folder title, name). */
export function alertRulesProvisioning(rules: AlertRule[]) {
  return {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: RULE_GROUP,
        folder: GRAFANA_FOLDER.title,
        interval: '1m',
        rules: rules.map((r) => {
          const built = plain(grafanaRule(r));
          return {
            uid: built.uid,
            title: built.title,
            condition: built.condition,
            data: built.data,
            noDataState: built.noDataState,
            execErrState: built.execErrState,
            for: built.for,
            labels: built.labels,
            annotations: built.annotations,
            isPaused: built.isPaused,
          };
        }),
      },
    ],
  };
}

export const CONTACT_POINTS = { webhook: 'voice-oncall-webhook', email: 'voice-ops-email' } as const;

export function contactPointsProvisioning() {
  const webhook = new alerting.ContactPointBuilder()
    .uid('mwva-oncall-webhook')
    .name(CONTACT_POINTS.webhook)
    .type('webhook')
    .settings({ url: envRef(GRAFANA_ENV.alertWebhookUrl), httpMethod: 'POST' })
    .disableResolveMessage(false)
    .build();
  const email = new alerting.ContactPointBuilder()
    .uid('mwva-ops-email')
    .name(CONTACT_POINTS.email)
    .type('email')
    .settings({ addresses: envRef(GRAFANA_ENV.alertEmails), singleEmail: true })
    .disableResolveMessage(false)
    .build();
  const receiver = (cp: alerting.ContactPoint) => ({
    uid: cp.uid,
    type: cp.type,
    settings: cp.settings as Record<string, unknown>,
    disableResolveMessage: cp.disableResolveMessage,
  });
  return {
    apiVersion: 1,
    contactPoints: [
      { orgId: 1, name: webhook.name, receivers: [receiver(webhook)] },
      { orgId: 1, name: email.name, receivers: [receiver(email)] },
    ],
  };
}

/** Grafana's notification policy: critical pages the webhook (and mails), warning and info mail. */
export const GRAFANA_RECEIVER_BY_SEVERITY: Record<Severity, string> = {
  critical: CONTACT_POINTS.webhook,
  warning: CONTACT_POINTS.email,
  info: CONTACT_POINTS.email,
};

export function notificationPolicyProvisioning() {
  const route = (severity: Severity) =>
    new alerting.NotificationPolicyBuilder()
      .receiver(GRAFANA_RECEIVER_BY_SEVERITY[severity])
      .objectMatchers([['severity', '=', severity]])
      .continueVal(severity === 'critical')
      .groupWait(severity === 'critical' ? '10s' : '30s')
      .repeatInterval(severity === 'critical' ? '1h' : '4h');
  const emailToo = new alerting.NotificationPolicyBuilder()
    .receiver(CONTACT_POINTS.email)
    .objectMatchers([['severity', '=', 'critical']]);
  const policy = new alerting.NotificationPolicyBuilder()
    .receiver(CONTACT_POINTS.email)
    .groupBy(['grafana_folder', 'alertname'])
    .groupWait('30s')
    .groupInterval('5m')
    .repeatInterval('4h')
    .routes([...SEVERITIES.map(route), emailToo])
    .build();
  return { apiVersion: 1, policies: [{ orgId: 1, ...plain(policy) }] };
}
