import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { type DataFrame, type DataQueryResponse, dateTime } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { lastNumber } from '../../api/frames';
import { Section } from '../../components/PageSection';
import { StatCard } from '../../components/charts/StatCard';
import { brandStyles } from '../../components/brand/BrandRoot';
import { testIds } from '../../components/testIds';

/** Webhook metrics live in Prometheus (voice_webhook_*), so they come from a Prometheus data source. */
const QUERIES = {
  p95: 'histogram_quantile(0.95, sum by (le) (rate(voice_webhook_duration_seconds_bucket{service="voice-agent-api"}[5m]))) * 1000',
  rejects: 'sum(increase(voice_webhook_rejected_total{service="voice-agent-api"}[1h]))',
  duplicates: 'sum(increase(voice_webhook_duplicates_total{service="voice-agent-api"}[1h]))',
};

type Values = Partial<Record<keyof typeof QUERIES, number | null>>;

export function WebhookHealth() {
  const [state, setState] = useState<{ values?: Values; missing?: boolean; error?: string }>({});
  useEffect(() => {
    const load = async () => {
      const [prom] = getDataSourceSrv().getList({ type: 'prometheus' });
      if (!prom) {
        setState({ missing: true });
        return;
      }
      try {
        const ds = await getDataSourceSrv().get({ uid: prom.uid });
        const to = dateTime();
        const request = {
          requestId: 'mwva-webhooks',
          interval: '60s',
          intervalMs: 60_000,
          range: { from: dateTime(to.valueOf() - 300_000), to, raw: { from: 'now-5m', to: 'now' } },
          scopedVars: {},
          targets: Object.entries(QUERIES).map(([refId, expr]) => ({ refId, expr, instant: true, range: false })),
          timezone: 'browser',
          app: 'magnificentworldwide-voiceagent-app',
          startTime: Date.now(),
        };
        const result = ds.query(request as never);
        const response: DataQueryResponse = isObservable(result)
          ? await lastValueFrom(result as Observable<DataQueryResponse>)
          : await (result as Promise<DataQueryResponse>);
        const values: Values = {};
        for (const frame of response.data as DataFrame[]) {
          values[frame.refId as keyof Values] = lastNumber(frame);
        }
        setState({ values });
      } catch (e) {
        setState({ error: e instanceof Error ? e.message : String(e) });
      }
    };
    void load(); // load catches its own errors into state
  }, []);

  const fmt = (v: number | null | undefined, unit = '') =>
    v === null || v === undefined ? '—' : `${Math.round(v)}${unit}`;
  return (
    <Section title="Telnyx webhooks" testId={testIds.operations.webhooks}>
      {state.missing ? (
        // Without the monitoring stack's Prometheus there is nothing to show; one line says where it comes from.
        <div className={brandStyles.muted}>Webhook latency and rejects show here once Prometheus is connected.</div>
      ) : state.error ? (
        <div>{state.error}</div>
      ) : (
        <div className={css({ display: 'grid', gap: 16, gridTemplateColumns: 'repeat(3, 1fr)' })}>
          <StatCard title="p95 latency" value={fmt(state.values?.p95, ' ms')} hint="last 5 minutes" />
          <StatCard title="Rejected" value={fmt(state.values?.rejects)} hint="last hour (bad signature, replay…)" />
          <StatCard title="Duplicates" value={fmt(state.values?.duplicates)} hint="last hour (Telnyx retries)" />
        </div>
      )}
    </Section>
  );
}
