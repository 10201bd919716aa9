import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { PluginPage } from '@grafana/runtime';
import { field, lastNumber, rows } from '../../api/frames';
import { useRange } from '../../api/range';
import { getVoiceDataSource, useVoiceQuery } from '../../api/useVoiceQuery';
import { storeStates } from '../../datasource/datasource';
import { BarList } from '../../components/charts/BarList';
import { ProgressBar } from '../../components/charts/ProgressBar';
import { StatCard } from '../../components/charts/StatCard';
import { TimeSeriesChart } from '../../components/charts/TimeSeriesChart';
import { QueryStatus, Section } from '../../components/PageSection';
import { BRAND } from '../../components/brand/brand';
import { brandStyles } from '../../components/brand/BrandRoot';
import { fmtInt, fmtPct, humanize } from '../../components/format';
import { testIds } from '../../components/testIds';
import { WebhookHealth } from './WebhookHealth';

type Store = { name: string; up: boolean };

/** Store health from GET /api/grafana/health, refreshed with the page. */
function useStoreHealth(): { stores: Store[]; error?: string } {
  const { refreshMs } = useRange();
  const [state, setState] = useState<{ stores: Store[]; error?: string }>({ stores: [] });
  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const ds = await getVoiceDataSource();
        const health = ds ? await ds.health() : { body: null };
        live && setState({ stores: storeStates(health.body) });
      } catch (e) {
        live && setState({ stores: [], error: e instanceof Error ? e.message : String(e) });
      }
    };
    void load(); // load catches its own errors into state
    const timer = refreshMs ? setInterval(load, refreshMs) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [refreshMs]);
  return state;
}

function Operations() {
  const q = useVoiceQuery([
    { refId: 'capacity', kind: 'capacity' },
    { refId: 'hangups', kind: 'hangup_causes', limit: 8 },
    { refId: 'latency', kind: 'turn_latency' },
  ]);
  const health = useStoreHealth();
  const cap = q.frames.capacity?.[0];
  const utilisation = lastNumber(
    cap,
    field(cap, 'utilization') ? 'utilization' : field(cap, 'utilisation') ? 'utilisation' : undefined
  );
  const threshold = lastNumber(cap, 'threshold') ?? lastNumber(cap, 'scaling_threshold');
  const active = lastNumber(cap, 'active') ?? lastNumber(cap, 'active_calls');
  const capacity = lastNumber(cap, 'capacity');
  const thresholdRatio = threshold === null ? null : threshold > 1 ? threshold / 100 : threshold;
  const hangups = rows(q.frames.hangups?.[0]).map((r) => ({
    label: humanize(String(r.cause ?? r.hangup_cause ?? '?')),
    value: typeof r.count === 'number' ? r.count : Number(r.calls ?? 0),
  }));

  return (
    <PluginPage>
      <div data-testid={testIds.operations.container}>
        <QueryStatus errors={q.errors} missingDatasource={q.missingDatasource} />
        <div className={brandStyles.grid(300)}>
          <StatCard
            title="Capacity utilisation"
            value={fmtPct(utilisation)}
            testId={testIds.operations.capacity}
            hint={`${fmtInt(active)} of ${fmtInt(capacity)} concurrent calls · scale at ${fmtPct(thresholdRatio)}`}
          >
            <ProgressBar
              value={(utilisation ?? 0) * 100}
              marker={thresholdRatio === null ? undefined : thresholdRatio * 100}
              markerLabel="scaling threshold"
              color={
                utilisation !== null && thresholdRatio !== null && utilisation >= thresholdRatio
                  ? BRAND.bad
                  : BRAND.blue
              }
              label="Capacity utilisation"
            />
          </StatCard>
          <Section title="Store health" testId={testIds.operations.stores}>
            {health.error && <div className={css({ color: BRAND.bad })}>{health.error}</div>}
            <ul
              className={css({
                listStyle: 'none',
                padding: 0,
                margin: 0,
                display: 'grid',
                gridTemplateColumns: '1fr 1fr',
                gap: 8,
              })}
            >
              {health.stores.map((s) => (
                <li key={s.name} data-store={s.name} data-up={s.up}>
                  <span
                    className={css({
                      display: 'inline-block',
                      width: 10,
                      height: 10,
                      borderRadius: 5,
                      marginRight: 8,
                      background: s.up ? BRAND.good : BRAND.bad,
                      boxShadow: `0 0 8px ${s.up ? BRAND.good : BRAND.bad}`,
                    })}
                  />
                  {s.name} <span className={brandStyles.muted}>{s.up ? 'up' : 'down'}</span>
                </li>
              ))}
            </ul>
          </Section>
        </div>
        <div className={brandStyles.grid(380)}>
          <Section title="Turn latency (ms)" testId={testIds.operations.latency}>
            <TimeSeriesChart frames={q.frames.latency ?? []} height={200} />
          </Section>
          <Section title="Hang-up causes" testId={testIds.operations.hangups}>
            <BarList items={hangups} empty="No ended calls in this range" />
          </Section>
        </div>
        <WebhookHealth />
      </div>
    </PluginPage>
  );
}

export default Operations;
