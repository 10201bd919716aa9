import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { API_JOB, DASHBOARD_UIDS, type GenerationSettings } from '../config';
import { ERROR_BUDGET, RECORDED } from '../prometheus/recording-rules';
import { PROMETHEUS_DS, prom, VOICE_DS, voice } from './targets';
import { numberPanels, withGrafanaLists } from './panel-ids';
import { greenUntil } from './theme';

const job = `job="${API_JOB}"`;
const lineAt = () => new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed);

/**
 * The ops dashboard: PromQL on Prometheus (heavy ones via recording rules), except the list of
 * dead letters, which only the app's data source can read. New rows go last, so the ids of the
 * panels above them (viewPanel links) stay what they were.
 */
export function operationsDashboard(settings: GenerationSettings): dashboard.Dashboard {
  const board = new dashboard.DashboardBuilder('Magnificent Worldwide Voice Agent Operations')
    .uid(DASHBOARD_UIDS.operations)
    .description('Replicas, webhook latency, rejects, error budget, stores, capacity, Node runtime and dead letters')
    .tags(['magnificent-worldwide', 'voice-agent', 'operations'])
    .readonly()
    .timezone('browser')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withRow(new dashboard.RowBuilder('Service'))
    .withPanel(replicasUp())
    .withPanel(activeCalls())
    .withPanel(errorBudget())
    .withPanel(replicaTimeline())
    .withRow(new dashboard.RowBuilder('Webhooks'))
    .withPanel(webhookLatency())
    .withPanel(webhookRejects())
    .withPanel(requestRate())
    .withRow(new dashboard.RowBuilder('Stores and capacity'))
    .withPanel(storeLatency())
    .withPanel(storeUp())
    .withPanel(capacity(settings))
    .withPanel(callSetup())
    .withRow(new dashboard.RowBuilder('Node runtime'))
    .withPanel(memory(settings))
    .withPanel(eventLoop())
    .withRow(new dashboard.RowBuilder('Dead letters'))
    .withPanel(deadLetterCount())
    .withPanel(deadLetterList())
    .build();
  return withGrafanaLists(numberPanels(board));
}

function replicasUp() {
  return new stat.PanelBuilder()
    .title('Replicas up')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(`sum(up{${job}})`, 'up'))
    .decimals(0)
    .colorMode(common.BigValueColorMode.Background)
    .thresholds(
      new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
        { value: null, color: 'red' },
        { value: 1, color: 'orange' },
        { value: 3, color: 'green' },
      ]),
    )
    .span(4)
    .height(6);
}

function activeCalls() {
  return new stat.PanelBuilder()
    .title('Active calls')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(`max(voice_calls_active{${job}})`, 'active'))
    .decimals(0)
    .graphMode(common.BigValueGraphMode.Area)
    .span(4)
    .height(6);
}

function errorBudget() {
  return new timeseries.PanelBuilder()
    .title('5xx error ratio (SLO 99.9 %)')
    .description('Share of API and webhook requests answered with a 5xx; the dashed line is the error budget')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(RECORDED.errorRatio('5m'), '5m', 'A'))
    .withTarget(prom(RECORDED.errorRatio('1h'), '1h', 'B'))
    .unit('percentunit')
    .min(0)
    .thresholds(
      new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
        { value: null, color: 'green' },
        { value: ERROR_BUDGET, color: 'red' },
      ]),
    )
    .thresholdsStyle(lineAt())
    .span(8)
    .height(6);
}

function replicaTimeline() {
  return new statetimeline.PanelBuilder()
    .title('Replica scrape status')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(`up{${job}}`, '{{instance}}'))
    .mappings([
      {
        type: dashboard.MappingType.ValueToText,
        options: { '0': { text: 'down', color: 'red' }, '1': { text: 'up', color: 'green' } },
      },
    ])
    .span(8)
    .height(6);
}

function webhookLatency() {
  return new timeseries.PanelBuilder()
    .title('Webhook latency percentiles')
    .description('Telnyx webhook handling until acknowledgement; the bar is p99 < 200 ms')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(RECORDED.webhookP50, 'p50', 'A'))
    .withTarget(prom(RECORDED.webhookP95, 'p95', 'B'))
    .withTarget(prom(RECORDED.webhookP99, 'p99', 'C'))
    .unit('s')
    .min(0)
    .thresholds(greenUntil(0.2))
    .thresholdsStyle(lineAt())
    .span(8)
    .height(8);
}

function webhookRejects() {
  return new timeseries.PanelBuilder()
    .title('Webhook rejects and duplicates')
    .description('Refused webhooks by reason (signature, timestamp, body) and retried duplicates')
    .datasource(PROMETHEUS_DS)
    .withTarget(
      prom(`sum by (reason) (rate(voice_webhook_rejected_total{${job}}[$__rate_interval]))`, '{{reason}}', 'A'),
    )
    .withTarget(prom(`sum(rate(voice_webhook_duplicates_total{${job}}[$__rate_interval]))`, 'duplicates', 'B'))
    .unit('reqps')
    .min(0)
    .span(8)
    .height(8);
}

function requestRate() {
  return new timeseries.PanelBuilder()
    .title('HTTP requests by route and status')
    .datasource(PROMETHEUS_DS)
    .withTarget(
      prom(
        `sum by (route, status) (rate(voice_http_request_duration_seconds_count{${job}}[$__rate_interval]))`,
        '{{route}} {{status}}',
      ),
    )
    .unit('reqps')
    .min(0)
    .span(8)
    .height(8);
}

function storeLatency() {
  return new timeseries.PanelBuilder()
    .title('Store latency p99')
    .description('Per store role; the bar is 100 ms')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(RECORDED.storeP99, '{{store}}'))
    .unit('s')
    .min(0)
    .thresholds(greenUntil(0.1))
    .thresholdsStyle(lineAt())
    .span(8)
    .height(8);
}

function storeUp() {
  return new statetimeline.PanelBuilder()
    .title('Stores up (per replica)')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(`min by (store) (voice_store_up{${job}})`, '{{store}}'))
    .mappings([
      {
        type: dashboard.MappingType.ValueToText,
        options: { '0': { text: 'down', color: 'red' }, '1': { text: 'up', color: 'green' } },
      },
    ])
    .span(8)
    .height(8);
}

function capacity(settings: GenerationSettings) {
  const threshold = settings.scalingThresholdPercent / 100;
  return new timeseries.PanelBuilder()
    .title(`Capacity utilisation vs SCALING_THRESHOLD (${settings.scalingThresholdPercent} %)`)
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(RECORDED.capacityUtilization, 'utilisation'))
    .unit('percentunit')
    .min(0)
    .max(1)
    .thresholds(
      new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
        { value: null, color: 'green' },
        { value: threshold, color: 'red' },
      ]),
    )
    .thresholdsStyle(lineAt())
    .span(8)
    .height(8);
}

function callSetup() {
  return new timeseries.PanelBuilder()
    .title('Call setup p95 and turn latency p95')
    .description('Outbound call initiation (bar: 2 s) and per-turn response time')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(RECORDED.callSetupP95, 'call setup p95', 'A'))
    .withTarget(prom(RECORDED.turnLatencyP95, 'turn latency p95', 'B'))
    .unit('s')
    .min(0)
    .span(8)
    .height(8);
}

function memory(settings: GenerationSettings) {
  return new timeseries.PanelBuilder()
    .title(`Memory (limit ${settings.memoryLimitBytes / 1024 / 1024} MiB)`)
    .description('Resident set per replica as a share of the container limit, and V8 heap used')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(RECORDED.memoryRatio, 'rss {{instance}}', 'A'))
    .withTarget(prom(`nodejs_heap_size_used_bytes{${job}} / ${settings.memoryLimitBytes}`, 'heap {{instance}}', 'B'))
    .unit('percentunit')
    .min(0)
    .thresholds(greenUntil(0.8))
    .thresholdsStyle(lineAt())
    .span(12)
    .height(8);
}

function eventLoop() {
  return new timeseries.PanelBuilder()
    .title('Event loop lag p99')
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(`nodejs_eventloop_lag_p99_seconds{${job}}`, '{{instance}}'))
    .unit('s')
    .min(0)
    .span(12)
    .height(8);
}

function deadLetterCount() {
  // Every replica reports the same database-wide count: max, as a sum would count it once per replica.
  return new stat.PanelBuilder()
    .title('Dead letters')
    .description(
      'Webhook events set aside after 10 failed attempts to apply them. Above 0: `voice-agent dead-letters list`, fix the cause, then `voice-agent dead-letters redrive`',
    )
    .datasource(PROMETHEUS_DS)
    .withTarget(prom(`max(voice_dead_letter_events{${job}})`, 'dead letters'))
    .decimals(0)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.Area)
    .thresholds(
      new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
        { value: null, color: 'green' },
        { value: 1, color: 'red' },
      ]),
    )
    .span(6)
    .height(8);
}

function deadLetterList() {
  return new table.PanelBuilder()
    .title('Dead letters')
    .description('The newest dead letters, from the app data source: event, call, type, attempts and the last error')
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'dead_letters', limit: 50 }))
    .span(18)
    .height(8);
}
