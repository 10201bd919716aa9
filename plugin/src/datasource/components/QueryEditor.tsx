import React from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, Select } from '@grafana/ui';
import type { VoiceDataSource } from '../datasource';
import {
  BEAST_MODE_SKILLS,
  CALL_DIRECTIONS,
  CALL_OUTCOMES,
  KPI_METRICS,
  QUERY_KINDS as QUERY_KINDS_CONTRACT,
  type KpiMetric,
} from '@mwva/contract';
import { QUERY_KINDS } from '../kinds';
import type { QueryKindName, VoiceDataSourceOptions, VoiceQuery, VoiceQueryInput } from '../types';

type Props = QueryEditorProps<VoiceDataSource, VoiceQuery, VoiceDataSourceOptions>;
type Option<T extends string> = { label: string; value: T };

const label = (value: string) => value.replace(/_/g, ' ');
const options = (values: readonly string[]): Array<Option<string>> =>
  values.map((value) => ({ label: label(value), value }));

const DIRECTIONS: Array<Option<string>> = [{ label: 'Any direction', value: '' }, ...options(CALL_DIRECTIONS)];
const OUTCOMES: Array<Option<string>> = [{ label: 'Any outcome', value: '' }, ...options(CALL_OUTCOMES)];
const GROUP_BY = options(['none', 'direction', 'outcome']);
const METRIC_LABELS: Record<KpiMetric, string> = {
  answer_rate: 'Answer rate',
  conversion_rate: 'Conversion rate',
  avg_handle_time: 'Average handle time',
  cost_per_call: 'Cost per call',
};
const METRICS: Array<Option<string>> = KPI_METRICS.map((value) => ({ label: METRIC_LABELS[value], value }));
const SKILLS = options(['all', ...BEAST_MODE_SKILLS]);
const MODES: Array<Option<string>> = [
  { label: 'Over time', value: 'timeseries' },
  { label: 'Current', value: 'current' },
];

/** What a new query of each kind starts with: the contract's defaults, as the server applies them. */
const DEFAULTS = Object.fromEntries(QUERY_KINDS_CONTRACT.map((k) => [k.kind, k.defaults])) as Record<
  QueryKindName,
  VoiceQueryInput
>;

/** Picks a query kind, then shows only that kind's options. */
export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const q = query as VoiceQuery & Record<string, unknown>;
  const set = (patch: Record<string, unknown>, run = true) => {
    const next = { ...q, ...patch } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (v === '' || v === undefined) {
        delete next[k];
      }
    }
    onChange(next as unknown as VoiceQuery);
    if (run) {
      onRunQuery();
    }
  };
  const onKind = (option: SelectableValue<QueryKindName>) => {
    const kind = option.value ?? 'active_calls';
    onChange({ refId: q.refId, datasource: q.datasource, hide: q.hide, ...DEFAULTS[kind] } as VoiceQuery);
    onRunQuery();
  };
  const str = (key: string) => (typeof q[key] === 'string' ? (q[key] as string) : '');
  const select = (label: string, key: string, options: Array<Option<string>>, fallback = '') => (
    <InlineField label={label} labelWidth={14}>
      <Select
        aria-label={label}
        width={24}
        options={options}
        value={str(key) || fallback}
        onChange={(o: SelectableValue<string>) => set({ [key]: o?.value ?? '' })}
      />
    </InlineField>
  );
  const limit = (max: number) => (
    <InlineField label="Limit" labelWidth={10} tooltip={`1–${max}`}>
      <Input
        aria-label="Limit"
        type="number"
        width={10}
        min={1}
        max={max}
        value={typeof q.limit === 'number' ? q.limit : ''}
        onChange={(e) => set({ limit: clampLimit(e.currentTarget.value, max) }, false)}
        onBlur={onRunQuery}
      />
    </InlineField>
  );

  return (
    <div>
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={14} tooltip={QUERY_KINDS.find((k) => k.value === q.kind)?.description}>
          <Select
            aria-label="Query kind"
            width={32}
            options={QUERY_KINDS}
            value={q.kind ?? 'active_calls'}
            onChange={onKind}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        {q.kind === 'call_volume' && (
          <>
            {select('Group by', 'groupBy', GROUP_BY, 'direction')}
            {select('Direction', 'direction', DIRECTIONS)}
          </>
        )}
        {q.kind === 'kpi' && (
          <>
            {select('Metric', 'metric', METRICS, 'conversion_rate')}
            {select('Direction', 'direction', DIRECTIONS)}
          </>
        )}
        {q.kind === 'beast_mode' && (
          <>
            {select('Mode', 'mode', MODES, 'timeseries')}
            {select('Skill', 'skill', SKILLS, 'all')}
          </>
        )}
        {q.kind === 'recent_calls' && (
          <>
            {select('Direction', 'direction', DIRECTIONS)}
            {select('Outcome', 'outcome', OUTCOMES)}
            {limit(500)}
          </>
        )}
        {(q.kind === 'hangup_causes' || q.kind === 'top_objections') && limit(50)}
        {(q.kind === 'unrecognised' || q.kind === 'dead_letters') && limit(500)}
        {q.kind === 'transcript' && (
          <InlineField label="Call ID" labelWidth={14} tooltip="A call's UUID, or a dashboard variable like $call">
            <Input
              aria-label="Call ID"
              width={44}
              value={str('callId')}
              placeholder="00000000-0000-0000-0000-000000000000"
              onChange={(e) => set({ callId: e.currentTarget.value.trim() }, false)}
              onBlur={onRunQuery}
            />
          </InlineField>
        )}
        {q.kind === 'transcript_search' && (
          <>
            <InlineField label="Text" labelWidth={14} grow tooltip="Turns nearest in meaning to this text">
              <Input
                aria-label="Search text"
                value={str('text')}
                placeholder="it's too expensive"
                onChange={(e) => set({ text: e.currentTarget.value }, false)}
                onBlur={onRunQuery}
              />
            </InlineField>
            {limit(100)}
          </>
        )}
      </InlineFieldRow>
    </div>
  );
}

function clampLimit(raw: string, max: number): number | undefined {
  const n = Math.round(Number(raw));
  return Number.isFinite(n) && n >= 1 ? Math.min(n, max) : undefined;
}
