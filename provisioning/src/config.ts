/**
 * The identifiers every generated file shares. Dashboards and alert rules reference data sources
 * by these uids, so they are fixed here once and never generated.
 */
export const APP_PLUGIN_ID = 'magnificentworldwide-voiceagent-app';
export const DATASOURCE_PLUGIN_ID = 'magnificentworldwide-voiceagent-datasource';
export const BEAST_MODE_PANEL_ID = 'magnificentworldwide-beastmode-panel';

export const DATASOURCE_UIDS = {
  voice: 'mwva-voice-agent',
  prometheus: 'mwva-prometheus',
  alertmanager: 'mwva-alertmanager',
  /** Grafana's server-side expression engine (reduce, threshold) in alert rules. */
  expression: '__expr__',
} as const;

export const DASHBOARD_UIDS = {
  analytics: 'mwva-analytics',
  operations: 'mwva-operations',
} as const;

/** The Prometheus job that scrapes voice-agent-api; alert rules and dashboards filter on it. */
export const API_JOB = 'voice-agent-api';

/** Grafana folder (title and uid) that holds the provisioned dashboards and alert rules. */
export const GRAFANA_FOLDER = { title: 'Magnificent Worldwide Voice Agent', uid: 'mwva' } as const;

/**
 * Values baked into rules and dashboards at generation time. They mirror the server's defaults
 * (README configuration table); a deployment that changes them regenerates
 * (`SCALING_THRESHOLD=70 npm run generate -w provisioning`).
 */
export interface GenerationSettings {
  /** Capacity utilisation (%) that triggers scaling and the capacity alert: the server's SCALING_THRESHOLD. */
  scalingThresholdPercent: number;
  /** Memory limit of one API container (compose/k8s); the memory alert fires at 80 % of it. */
  memoryLimitBytes: number;
}

export const DEFAULT_SETTINGS: GenerationSettings = {
  scalingThresholdPercent: 80,
  memoryLimitBytes: 1024 * 1024 * 1024,
};

/** Reads overrides from the environment with the server's variable names; bad values stop generation. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): GenerationSettings {
  const settings = { ...DEFAULT_SETTINGS };
  if (env.SCALING_THRESHOLD !== undefined) {
    settings.scalingThresholdPercent = wholeNumber('SCALING_THRESHOLD', env.SCALING_THRESHOLD, 1, 100);
  }
  if (env.API_MEMORY_LIMIT_BYTES !== undefined) {
    settings.memoryLimitBytes = wholeNumber(
      'API_MEMORY_LIMIT_BYTES',
      env.API_MEMORY_LIMIT_BYTES,
      1,
      Number.MAX_SAFE_INTEGER,
    );
  }
  return settings;
}

function wholeNumber(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
    throw new Error(`${name}: expected a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return n;
}
