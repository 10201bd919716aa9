import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { BEAST_MODE_PANEL_ID, DASHBOARD_UIDS, type GenerationSettings } from '../config';
import { VOICE_DS, voice } from './targets';
import { numberPanels, withGrafanaLists } from './panel-ids';
import { blueToGold, BRAND, greenUntil } from './theme';

const CALL_CAPACITY = 1000;

/** The executives' dashboard: every panel reads the app's data source (query contract targets). */
export function analyticsDashboard(settings: GenerationSettings): dashboard.Dashboard {
  const board = new dashboard.DashboardBuilder('Magnificent Worldwide Voice Agent Analytics')
    .uid(DASHBOARD_UIDS.analytics)
    .description('Live call volume, conversion, turn latency, hang-up causes, cost and Beast Mode progress')
    .tags(['magnificent-worldwide', 'voice-agent', 'analytics'])
    .readonly()
    .timezone('browser')
    .time({ from: 'now-24h', to: 'now' })
    .refresh('30s')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withRow(new dashboard.RowBuilder('Live'))
    .withPanel(activeCalls())
    .withPanel(beastModeProgress())
    .withPanel(capacity(settings))
    .withRow(new dashboard.RowBuilder('Calls'))
    .withPanel(callVolume())
    .withPanel(kpi('Conversion rate', 'conversion_rate', 'percentunit'))
    .withPanel(kpi('Answer rate', 'answer_rate', 'percentunit'))
    .withPanel(turnLatency())
    .withPanel(hangupCauses())
    .withPanel(kpi('Cost per call', 'cost_per_call', 'currencyUSD'))
    .withPanel(kpi('Average handle time', 'avg_handle_time', 's'))
    .withRow(new dashboard.RowBuilder('Learning'))
    .withPanel(topObjections())
    .withPanel(recentCalls())
    .build();
  return withGrafanaLists(numberPanels(board));
}

function activeCalls() {
  return new stat.PanelBuilder()
    .title('Active Call Volume')
    .description('Calls in progress right now, across every replica')
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'active_calls' }))
    .unit('short')
    .decimals(0)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .thresholds(blueToGold(CALL_CAPACITY))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.Area)
    .textMode(common.BigValueTextMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .span(8)
    .height(8);
}

function beastModeProgress() {
  // The app's own panel: score per skill over time plus the latest snapshot.
  return new dashboard.PanelBuilder()
    .type(BEAST_MODE_PANEL_ID)
    .title('Beast Mode Progress')
    .description('How close the agent is to expert level (0–100), per skill')
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'beast_mode', mode: 'timeseries', skill: 'all' }, 'A'))
    .withTarget(voice({ kind: 'beast_mode', mode: 'current', skill: 'all' }, 'B'))
    .min(0)
    .max(100)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Fixed).fixedColor(BRAND.gold))
    .span(10)
    .height(8);
}

function capacity(settings: GenerationSettings) {
  return new gauge.PanelBuilder()
    .title('Capacity utilisation')
    .description(
      `Active calls / CALL_CAPACITY; scaling starts at SCALING_THRESHOLD (${settings.scalingThresholdPercent} %)`,
    )
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'capacity' }))
    .unit('percentunit')
    .min(0)
    .max(1)
    .thresholds(greenUntil(settings.scalingThresholdPercent / 100))
    .showThresholdMarkers(true)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('/utili[sz]ation/'))
    .span(6)
    .height(8);
}

function callVolume() {
  return new timeseries.PanelBuilder()
    .title('Call volume')
    .description('Calls started per interval, inbound and outbound')
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'call_volume', groupBy: 'direction' }))
    .unit('short')
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(80)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.PaletteClassic))
    .span(12)
    .height(8);
}

function kpi(
  title: string,
  metric: 'conversion_rate' | 'answer_rate' | 'cost_per_call' | 'avg_handle_time',
  unit: string,
) {
  return new timeseries.PanelBuilder()
    .title(title)
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'kpi', metric }))
    .unit(unit)
    .min(0)
    .lineWidth(2)
    .fillOpacity(15)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Fixed).fixedColor(BRAND.gold))
    .span(metric === 'answer_rate' ? 8 : 12)
    .height(8);
}

function turnLatency() {
  return new timeseries.PanelBuilder()
    .title('Turn latency')
    .description('Prospect finished speaking → our response sent, percentiles per interval')
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'turn_latency' }))
    .unit('ms')
    .min(0)
    .span(8)
    .height(8);
}

function hangupCauses() {
  return new piechart.PanelBuilder()
    .title('Hang-up causes')
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'hangup_causes', limit: 10 }))
    .pieType(piechart.PieChartType.Donut)
    .displayLabels([piechart.PieChartLabels.Percent])
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(true).calcs(['lastNotNull']))
    .span(8)
    .height(8);
}

function topObjections() {
  return new table.PanelBuilder()
    .title('Top objections and the responses that win them')
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'top_objections', limit: 10 }))
    .span(12)
    .height(10);
}

function recentCalls() {
  return new table.PanelBuilder()
    .title('Recent calls')
    .datasource(VOICE_DS)
    .withTarget(voice({ kind: 'recent_calls', limit: 50 }))
    .span(12)
    .height(10);
}
