import { API_JOB, type GenerationSettings } from '../config';
import { ERROR_BUDGET, RECORDED } from '../prometheus/recording-rules';
import type { AlertRule } from './model';
import { API_LABELS, constant, growing, histogram, selector } from './series';

const job = `job="${API_JOB}"`;

/** Multi-window, multi-burn-rate (Google SRE workbook): long window for significance, short one to reset quickly. */
const burn = (long: '1h' | '6h' | '1d' | '3d', short: '5m' | '30m' | '2h' | '6h', rate: number) =>
  `(${RECORDED.errorRatio(long)} > ${+(rate * ERROR_BUDGET).toFixed(6)} and ${RECORDED.errorRatio(short)} > ${+(rate * ERROR_BUDGET).toFixed(6)})`;

const httpCount = (status: string) =>
  selector('voice_http_request_duration_seconds_count', {
    ...API_LABELS,
    method: 'POST',
    route: '/telnyx/webhooks',
    status,
  });

/** Requests per minute with `errors` of them answering 503, for `steps` minutes. */
const traffic = (ok: number, errors: number, steps: number) => ({
  [httpCount('200')]: growing(ok, steps),
  ...(errors > 0 ? { [httpCount('503')]: growing(errors, steps) } : {}),
});

const BACKUP_MAX_AGE_S = 26 * 3600;

/** The dead-letter count as every replica reports it (one database-wide number, read at scrape time). */
const deadLetters = (instance: string) =>
  selector('voice_dead_letter_events', { ...API_LABELS, instance: `voice-agent-api-${instance}:5000` });

/** Every alert of the platform, written once; see model.ts for how each engine receives it. */
export function alertRules(settings: GenerationSettings): AlertRule[] {
  const scaling = settings.scalingThresholdPercent / 100;
  return [
    {
      name: 'WebhookLatencyHigh',
      uid: 'mwva-webhook-latency-high',
      severity: 'warning',
      for: '5m',
      condition: { kind: 'threshold', value: RECORDED.webhookP99, op: '>', threshold: 0.2 },
      summary: 'Telnyx webhook p99 latency is above 200 ms',
      description: 'Webhooks are acknowledged slowly; Telnyx retries slow deliveries and callers hear the delay.',
      cases: [
        {
          name: 'fires when most webhooks take 200–500 ms',
          interval: '1m',
          series: histogram(
            'voice_webhook_duration_seconds',
            { ...API_LABELS, event_type: 'call.answered' },
            { '0.1': 0, '0.2': 0, '0.5': 10 },
            30,
          ),
          evalTime: '15m',
          fires: [{}],
        },
        {
          name: 'silent when webhooks take under 100 ms',
          interval: '1m',
          series: histogram(
            'voice_webhook_duration_seconds',
            { ...API_LABELS, event_type: 'call.answered' },
            { '0.1': 10, '0.2': 10, '0.5': 10 },
            30,
          ),
          evalTime: '15m',
          fires: [],
        },
      ],
    },
    {
      name: 'ErrorBudgetBurnFast',
      uid: 'mwva-error-budget-burn-fast',
      severity: 'critical',
      for: '2m',
      condition: {
        kind: 'expression',
        promql: `${burn('1h', '5m', 14.4)} or ${burn('6h', '30m', 6)}`,
        inputs: ['1h', '5m', '6h', '30m'].map((w) => RECORDED.errorRatio(w as '1h')),
      },
      summary: 'The 99.9 % availability error budget is burning fast (5xx)',
      description:
        'At this rate the monthly error budget is gone within days: 14.4× over 1 h and 5 m, or 6× over 6 h and 30 m.',
      noData: 'OK',
      cases: [
        {
          name: 'fires when 10 % of requests fail',
          interval: '1m',
          series: traffic(90, 10, 60),
          evalTime: '20m',
          fires: [{}],
        },
        {
          name: 'silent at 0.5 % errors (a slow burn, not a fast one)',
          interval: '1m',
          series: traffic(995, 5, 60),
          evalTime: '40m',
          fires: [],
        },
        {
          name: 'silent when nothing fails',
          interval: '1m',
          series: traffic(100, 0, 60),
          evalTime: '40m',
          fires: [],
        },
      ],
    },
    {
      name: 'ErrorBudgetBurnSlow',
      uid: 'mwva-error-budget-burn-slow',
      severity: 'warning',
      for: '15m',
      condition: {
        kind: 'expression',
        promql: `${burn('1d', '2h', 3)} or ${burn('3d', '6h', 1)}`,
        inputs: ['1d', '2h', '3d', '6h'].map((w) => RECORDED.errorRatio(w as '1d')),
      },
      summary: 'The 99.9 % availability error budget is burning steadily (5xx)',
      description: 'Errors above the budget for hours: 3× over 1 d and 2 h, or 1× over 3 d and 6 h. Open a ticket.',
      noData: 'OK',
      cases: [
        {
          name: 'fires at 0.5 % errors',
          interval: '1m',
          series: traffic(995, 5, 90),
          evalTime: '60m',
          fires: [{}],
        },
        {
          name: 'silent at 0.05 % errors (within budget)',
          interval: '1m',
          series: traffic(1999, 1, 90),
          evalTime: '60m',
          fires: [],
        },
      ],
    },
    {
      name: 'CapacityUtilisationHigh',
      uid: 'mwva-capacity-utilisation-high',
      severity: 'warning',
      for: '5m',
      condition: { kind: 'threshold', value: RECORDED.capacityUtilization, op: '>', threshold: scaling },
      summary: `Call capacity utilisation is above SCALING_THRESHOLD (${settings.scalingThresholdPercent} %)`,
      description: 'Active calls / CALL_CAPACITY passed the scaling threshold: add replicas or raise capacity.',
      cases: [
        {
          name: 'fires above the threshold',
          interval: '1m',
          series: { [selector('voice_capacity_utilization', API_LABELS)]: constant(Math.min(1, scaling + 0.05), 20) },
          evalTime: '10m',
          fires: [{}],
        },
        {
          name: 'silent below the threshold',
          interval: '1m',
          series: { [selector('voice_capacity_utilization', API_LABELS)]: constant(Math.max(0, scaling - 0.2), 20) },
          evalTime: '10m',
          fires: [],
        },
      ],
    },
    {
      name: 'StoreLatencyHigh',
      uid: 'mwva-store-latency-high',
      severity: 'warning',
      for: '10m',
      condition: { kind: 'threshold', value: RECORDED.storeP99, op: '>', threshold: 0.1 },
      summary: 'Store {{ $labels.store }}: p99 operation latency above 100 ms',
      description: 'Database operations are slower than the 100 ms bar; calls and dashboards slow down with them.',
      cases: [
        {
          name: 'fires when postgres operations take 100–250 ms',
          interval: '1m',
          series: histogram(
            'voice_store_duration_seconds',
            { ...API_LABELS, store: 'postgres', op: 'upsertCall', result: 'ok' },
            { '0.05': 0, '0.1': 0, '0.25': 20 },
            30,
          ),
          evalTime: '20m',
          fires: [{ store: 'postgres' }],
        },
        {
          name: 'silent under 50 ms',
          interval: '1m',
          series: histogram(
            'voice_store_duration_seconds',
            { ...API_LABELS, store: 'postgres', op: 'upsertCall', result: 'ok' },
            { '0.05': 20, '0.1': 20, '0.25': 20 },
            30,
          ),
          evalTime: '20m',
          fires: [],
        },
      ],
    },
    {
      name: 'StoreDown',
      uid: 'mwva-store-down',
      severity: 'critical',
      for: '1m',
      condition: { kind: 'threshold', value: `voice_store_up{${job}}`, op: '<', threshold: 1 },
      summary: 'Store {{ $labels.store }} is not answering {{ $labels.instance }}',
      description: 'The replica reports the store down (its /readyz is 503 naming it); calls that need it fail.',
      cases: [
        {
          name: 'fires when redis stays down',
          interval: '1m',
          series: {
            [selector('voice_store_up', { ...API_LABELS, store: 'redis', kind: 'native' })]: '1 1 0 0 0 0 0',
          },
          evalTime: '5m',
          fires: [{ ...API_LABELS, store: 'redis', kind: 'native' }],
        },
        {
          name: 'silent while every store answers',
          interval: '1m',
          series: {
            [selector('voice_store_up', { ...API_LABELS, store: 'redis', kind: 'native' })]: constant(1, 10),
            [selector('voice_store_up', { ...API_LABELS, store: 'postgres', kind: 'native' })]: constant(1, 10),
          },
          evalTime: '5m',
          fires: [],
        },
      ],
    },
    {
      name: 'ReplicaDown',
      uid: 'mwva-replica-down',
      severity: 'critical',
      for: '1m',
      condition: { kind: 'threshold', value: `up{${job}}`, op: '<', threshold: 1 },
      summary: 'API replica {{ $labels.instance }} is down',
      description: 'Prometheus cannot scrape this voice-agent-api replica; the others take its calls.',
      cases: [
        {
          name: 'fires when a replica stops answering scrapes',
          interval: '1m',
          series: {
            [selector('up', { job: API_JOB, instance: 'voice-agent-api-2:5000' })]: '1 1 0 0 0 0',
            [selector('up', { job: API_JOB, instance: 'voice-agent-api-1:5000' })]: constant(1, 6),
          },
          evalTime: '5m',
          fires: [{ job: API_JOB, instance: 'voice-agent-api-2:5000' }],
        },
        {
          name: 'silent while every replica is up',
          interval: '1m',
          series: { [selector('up', { job: API_JOB, instance: 'voice-agent-api-1:5000' })]: constant(1, 6) },
          evalTime: '5m',
          fires: [],
        },
      ],
    },
    {
      name: 'CallSetupSlow',
      uid: 'mwva-call-setup-slow',
      severity: 'warning',
      for: '10m',
      condition: { kind: 'threshold', value: RECORDED.callSetupP95, op: '>', threshold: 2 },
      summary: 'Outbound call setup p95 is above 2 s',
      description:
        'API-accepted calls take more than 2 s to be accepted by the carrier (dial queue, rate limit, carrier).',
      cases: [
        {
          name: 'fires when calls take 2–5 s to set up',
          interval: '1m',
          series: histogram('voice_call_setup_seconds', API_LABELS, { '1': 0, '2': 0, '5': 10 }, 30),
          evalTime: '20m',
          fires: [{}],
        },
        {
          name: 'silent under 1 s',
          interval: '1m',
          series: histogram('voice_call_setup_seconds', API_LABELS, { '1': 10, '2': 10, '5': 10 }, 30),
          evalTime: '20m',
          fires: [],
        },
      ],
    },
    {
      name: 'MemoryHigh',
      uid: 'mwva-memory-high',
      severity: 'warning',
      for: '10m',
      condition: { kind: 'threshold', value: RECORDED.memoryRatio, op: '>', threshold: 0.8 },
      summary: 'Replica {{ $labels.instance }} uses more than 80 % of its memory limit',
      description: `Resident memory above 80 % of the ${settings.memoryLimitBytes / 1024 / 1024} MiB container limit; an OOM kill is near.`,
      cases: [
        {
          name: 'fires at 90 % of the limit',
          interval: '1m',
          series: {
            [selector('process_resident_memory_bytes', API_LABELS)]: constant(
              Math.round(settings.memoryLimitBytes * 0.9),
              30,
            ),
          },
          evalTime: '20m',
          fires: [API_LABELS],
        },
        {
          name: 'silent at 50 %',
          interval: '1m',
          series: {
            [selector('process_resident_memory_bytes', API_LABELS)]: constant(
              Math.round(settings.memoryLimitBytes * 0.5),
              30,
            ),
          },
          evalTime: '20m',
          fires: [],
        },
      ],
    },
    {
      name: 'BackupStale',
      uid: 'mwva-backup-stale',
      severity: 'critical',
      for: '5m',
      condition: {
        kind: 'expression',
        // Also fires when no backup has reported for 26 h at all (never ran, or the metric vanished).
        promql:
          `(time() - max(voice_backup_last_success_timestamp_seconds) > ${BACKUP_MAX_AGE_S})` +
          ` or absent_over_time(voice_backup_last_success_timestamp_seconds[26h])`,
        inputs: ['time() - max(voice_backup_last_success_timestamp_seconds)'],
      },
      summary: 'No successful backup for more than 26 hours',
      description: 'The daily backup has not succeeded for over a day; a restore would lose more than a day of calls.',
      noData: 'OK',
      cases: [
        {
          name: 'fires when the last success is 27 h old',
          interval: '1m',
          series: { [selector('voice_backup_last_success_timestamp_seconds', API_LABELS)]: constant(0, 1700) },
          evalTime: '27h',
          fires: [{}],
        },
        {
          name: 'fires when no backup has reported for 26 h',
          interval: '1m',
          series: { [selector('up', { job: API_JOB, instance: 'voice-agent-api-1:5000' })]: constant(1, 1700) },
          evalTime: '27h',
          fires: [{}],
        },
        {
          name: 'silent when a backup succeeded within the last minute',
          interval: '1m',
          series: { [selector('voice_backup_last_success_timestamp_seconds', API_LABELS)]: growing(60, 1700) },
          evalTime: '27h',
          fires: [],
        },
      ],
    },
    {
      name: 'BeastModeRegression',
      uid: 'mwva-beast-mode-regression',
      severity: 'warning',
      for: '30m',
      condition: {
        kind: 'threshold',
        value:
          `max by (skill) (max_over_time(voice_beast_mode_score{${job}}[1d]))` +
          ` - max by (skill) (voice_beast_mode_score{${job}})`,
        op: '>',
        threshold: 10,
      },
      summary: 'Beast Mode {{ $labels.skill }} score fell more than 10 points below its 24 h best',
      description: 'The learning loop is regressing: recent calls are scoring worse than the best of the last day.',
      cases: [
        {
          name: 'fires when overall drops from 50 to 35',
          interval: '1m',
          series: { [selector('voice_beast_mode_score', { ...API_LABELS, skill: 'overall' })]: '50x60 35x60' },
          evalTime: '110m',
          fires: [{ skill: 'overall' }],
        },
        {
          name: 'silent when it dips by 5',
          interval: '1m',
          series: { [selector('voice_beast_mode_score', { ...API_LABELS, skill: 'overall' })]: '50x60 45x60' },
          evalTime: '110m',
          fires: [],
        },
      ],
    },
    {
      name: 'VoiceDeadLetterEventsGrowing',
      uid: 'mwva-voice-dead-letter-events-growing',
      severity: 'warning',
      for: '5m',
      condition: {
        kind: 'threshold',
        // A gauge, so delta (last − first sample of the window), not increase: increase would read a
        // re-drive or a failed count (the gauge reads 0 then) as a counter reset and report growth.
        // Every replica reports the same database-wide count, so max() alerts once, not per replica.
        value: `max(delta(voice_dead_letter_events{${job}}[15m]))`,
        op: '>',
        threshold: 0,
      },
      summary: 'Webhook events are being dead-lettered (the count grew in the last 15 minutes)',
      description:
        'Events that still failed to apply after 10 attempts were set aside, so their calls may be incomplete.' +
        ' Run `voice-agent dead-letters list` to see them and why they failed, fix the cause,' +
        ' then `voice-agent dead-letters redrive --all` (or the event ids) to apply them again.',
      cases: [
        {
          name: 'fires once (not per replica) when the count grows from 2 to 5',
          interval: '1m',
          series: { [deadLetters('1')]: '2x20 5x20', [deadLetters('2')]: '2x20 5x20' },
          evalTime: '30m',
          fires: [{}],
        },
        {
          name: 'silent while the count is flat, even above 0',
          interval: '1m',
          series: { [deadLetters('1')]: constant(5, 40), [deadLetters('2')]: constant(5, 40) },
          evalTime: '30m',
          fires: [],
        },
        {
          name: 'silent when a re-drive empties the table',
          interval: '1m',
          series: { [deadLetters('1')]: '5x20 0x20' },
          evalTime: '30m',
          fires: [],
        },
        {
          name: 'silent when one scrape failed to count (the gauge reads 0) between flat values',
          interval: '1m',
          series: { [deadLetters('1')]: '5x20 0 5x20' },
          evalTime: '30m',
          fires: [],
        },
      ],
    },
  ];
}
