import type { Severity } from '../alerts/model';

/**
 * alertmanager.yml: routes by severity. Alertmanager reads no environment variables, so the
 * committed file carries compose-network placeholders (an `alert-webhook` service and
 * example.invalid mail) that a deployment replaces; the live test renders the same tree with its
 * own receiver URL.
 */
export interface AlertmanagerOptions {
  /** Base URL of the webhook receiver; each route posts to <base>/<severity>. */
  webhookBaseUrl: string;
  smtp: { smarthost: string; from: string; oncall: string; ops: string };
  /** How long a new critical group waits for more alerts before notifying. */
  criticalGroupWait: string;
}

export const COMPOSE_ALERTMANAGER: AlertmanagerOptions = {
  webhookBaseUrl: 'http://alert-webhook:9095/alerts',
  smtp: {
    smarthost: 'smtp.example.invalid:587',
    from: 'voice-agent-alerts@example.invalid',
    oncall: 'oncall@example.invalid',
    ops: 'ops@example.invalid',
  },
  criticalGroupWait: '10s',
};

/** Which receiver each severity must reach (checked with `amtool config routes test`). */
export const RECEIVER_BY_SEVERITY: Record<Severity, string> = {
  critical: 'oncall-pager',
  warning: 'ops-webhook',
  info: 'ops-email',
};
export const DEFAULT_RECEIVER = 'ops-email';

export function alertmanagerConfig(o: AlertmanagerOptions) {
  const webhook = (severity: Severity) => ({ url: `${o.webhookBaseUrl}/${severity}`, send_resolved: true });
  return {
    global: {
      resolve_timeout: '5m',
      smtp_smarthost: o.smtp.smarthost,
      smtp_from: o.smtp.from,
      smtp_require_tls: true,
    },
    route: {
      receiver: DEFAULT_RECEIVER,
      group_by: ['alertname', 'store', 'instance'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        {
          receiver: RECEIVER_BY_SEVERITY.critical,
          matchers: ['severity="critical"'],
          group_wait: o.criticalGroupWait,
          repeat_interval: '1h',
        },
        { receiver: RECEIVER_BY_SEVERITY.warning, matchers: ['severity="warning"'], repeat_interval: '4h' },
        { receiver: RECEIVER_BY_SEVERITY.info, matchers: ['severity="info"'], repeat_interval: '12h' },
      ],
    },
    inhibit_rules: [
      // A dead replica explains its own store and latency alerts.
      { source_matchers: ['alertname="ReplicaDown"'], target_matchers: ['severity="warning"'], equal: ['instance'] },
      // The fast burn already pages; the slow one adds nothing while it fires.
      {
        source_matchers: ['alertname="ErrorBudgetBurnFast"'],
        target_matchers: ['alertname="ErrorBudgetBurnSlow"'],
      },
    ],
    receivers: [
      {
        name: RECEIVER_BY_SEVERITY.critical,
        webhook_configs: [webhook('critical')],
        email_configs: [{ to: o.smtp.oncall, send_resolved: true }],
      },
      { name: RECEIVER_BY_SEVERITY.warning, webhook_configs: [webhook('warning')] },
      { name: RECEIVER_BY_SEVERITY.info, email_configs: [{ to: o.smtp.ops }] },
    ],
  };
}
