/**
 * Environment variables Grafana expands in provisioning files (`${VAR}`; a literal `$` is `$$`).
 * Named once so the README, the files and the tests agree.
 */
export const GRAFANA_ENV = {
  apiUrl: 'VOICE_AGENT_API_URL',
  apiToken: 'VOICE_AGENT_API_TOKEN',
  prometheusUrl: 'PROMETHEUS_URL',
  alertmanagerUrl: 'ALERTMANAGER_URL',
  alertWebhookUrl: 'ALERT_WEBHOOK_URL',
  alertEmails: 'ALERT_EMAIL_ADDRESSES',
  provisioningPath: 'GF_PATHS_PROVISIONING',
} as const;

export const envRef = (name: (typeof GRAFANA_ENV)[keyof typeof GRAFANA_ENV]) => `\${${name}}`;
