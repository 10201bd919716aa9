import React from 'react';
import { css } from '@emotion/css';
import { PluginPage } from '@grafana/runtime';
import { DAILY_CALL_TARGET, EXPERT_BAR } from '../../constants';
import { lastNumber, sumNumbers, expertBarOf } from '../../api/frames';
import { todayRange, useVoiceQuery } from '../../api/useVoiceQuery';
import { StatCard } from '../../components/charts/StatCard';
import { ProgressBar } from '../../components/charts/ProgressBar';
import { TimeSeriesChart } from '../../components/charts/TimeSeriesChart';
import { QueryStatus, Section } from '../../components/PageSection';
import { brandStyles } from '../../components/brand/BrandRoot';
import { fmtInt, fmtPct, fmtScore, fmtUsd } from '../../components/format';
import { testIds } from '../../components/testIds';

/** Today's headline numbers: one bucket per KPI since midnight UTC. */
const TODAY = [
  { refId: 'today_volume', kind: 'call_volume', groupBy: 'none' },
  { refId: 'conversion', kind: 'kpi', metric: 'conversion_rate' },
  { refId: 'answer_rate', kind: 'kpi', metric: 'answer_rate' },
  { refId: 'cost', kind: 'kpi', metric: 'cost_per_call' },
] as const;
const NOW = [
  { refId: 'active', kind: 'active_calls' },
  { refId: 'beast', kind: 'beast_mode', mode: 'current', skill: 'overall' },
] as const;
const TREND = [{ refId: 'volume', kind: 'call_volume', groupBy: 'direction' }] as const;

function ExecutiveOverview() {
  const today = useVoiceQuery([...TODAY], { range: todayRange, intervalMs: 86_400_000 });
  const now = useVoiceQuery([...NOW]);
  const trend = useVoiceQuery([...TREND]);

  const finishedToday = today.frames.today_volume ? sumNumbers(today.frames.today_volume) : null;
  const active = lastNumber(now.frames.active?.[0]);
  // Rollups count a call once it ends; the calls in progress count today too, or an executive sees
  // more active calls than calls today.
  const callsToday = finishedToday === null ? null : finishedToday + (active ?? 0);
  const beast = lastNumber(now.frames.beast?.[0]);
  const expertBar = expertBarOf(now.frames.beast?.[0], EXPERT_BAR);
  const errors = [...now.errors, ...today.errors, ...trend.errors];

  return (
    <PluginPage>
      <div data-testid={testIds.overview.container}>
        <QueryStatus errors={errors} missingDatasource={now.missingDatasource} />
        <div className={brandStyles.grid(240)}>
          <StatCard
            title="Active call volume"
            value={fmtInt(active)}
            hero
            testId={testIds.overview.activeCalls}
            hint="calls in progress now"
          />
          <StatCard
            title="Calls today"
            value={fmtInt(callsToday)}
            testId={testIds.overview.callsToday}
            hint={active ? `${fmtInt(active)} in progress` : undefined}
          >
            <ProgressBar
              value={callsToday ?? 0}
              max={DAILY_CALL_TARGET.max}
              marker={DAILY_CALL_TARGET.min}
              markerLabel={`target ${DAILY_CALL_TARGET.min}–${DAILY_CALL_TARGET.max}`}
              color="#3b82f6"
              label="Calls today against the daily target"
            />
          </StatCard>
          <StatCard
            title="Beast Mode"
            value={fmtScore(beast)}
            testId={testIds.overview.beastMode}
            hint={`expert bar ${expertBar}`}
          >
            <ProgressBar value={beast ?? 0} marker={expertBar} label="Beast Mode score against the expert bar" />
          </StatCard>
        </div>
        <div className={brandStyles.grid(200)}>
          <StatCard
            title="Conversion"
            value={fmtPct(lastNumber(today.frames.conversion?.[0]))}
            hint="today"
            testId={testIds.overview.conversion}
          />
          <StatCard
            title="Answer rate"
            value={fmtPct(lastNumber(today.frames.answer_rate?.[0]))}
            hint="today"
            testId={testIds.overview.answerRate}
          />
          <StatCard
            title="Cost per call"
            value={fmtUsd(lastNumber(today.frames.cost?.[0]))}
            hint="today"
            testId={testIds.overview.costPerCall}
          />
        </div>
        <Section title="Call volume" className={css({ marginBottom: 16 })}>
          <TimeSeriesChart frames={trend.frames.volume ?? []} />
        </Section>
      </div>
    </PluginPage>
  );
}

export default ExecutiveOverview;
