import React, { useState } from 'react';
import { css } from '@emotion/css';
import { PluginPage } from '@grafana/runtime';
import { Button, Input } from '@grafana/ui';
import { field, rows } from '../../api/frames';
import { useVoiceQuery } from '../../api/useVoiceQuery';
import { DataTable } from '../../components/charts/DataTable';
import { QueryStatus, Section } from '../../components/PageSection';
import { BRAND } from '../../components/brand/brand';
import { brandStyles } from '../../components/brand/BrandRoot';
import { testIds } from '../../components/testIds';
import { Transcript } from './Transcript';

// recent_calls fields, in the order an executive reads them.
const CALL_COLUMNS = [
  'started',
  'direction',
  'to',
  'persona',
  'status',
  'outcome',
  'talk_time',
  'cost',
  'hangup_cause',
];

/** Recent calls → one call's transcript; and semantic search over every transcript. */
function Calls() {
  const recent = useVoiceQuery([{ refId: 'recent', kind: 'recent_calls', limit: 50 }]);
  const [callId, setCallId] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const results = useVoiceQuery([{ refId: 'search', kind: 'transcript_search', text: search, limit: 10 }], {
    enabled: search.length > 0,
  });
  const frame = recent.frames.recent?.[0];
  const idField = field(frame, 'call_id') ? 'call_id' : 'id';
  const columns = frame ? CALL_COLUMNS.filter((c) => field(frame, c)) : [];
  const selected = callId ?? (rows(frame)[0]?.[idField] as string | undefined) ?? null;

  return (
    <PluginPage>
      <div data-testid={testIds.calls.container}>
        <QueryStatus errors={[...recent.errors, ...results.errors]} missingDatasource={recent.missingDatasource} />
        <div
          className={css({
            display: 'grid',
            gap: 16,
            // The table takes the full width: nine columns side by side with a transcript were cut off.
            gridTemplateColumns: 'minmax(0, 1fr)',
            marginBottom: 16,
          })}
        >
          <Section title="Recent calls" testId={testIds.calls.table}>
            <DataTable
              frame={frame}
              columns={columns.length >= 3 ? columns : undefined}
              onRowClick={(row) => setCallId(String(row[idField]))}
              selectedKey={selected ? { field: idField, value: selected } : undefined}
              maxRows={14}
              humanize={['direction', 'status', 'outcome', 'hangup_cause']}
            />
          </Section>
          <Section title="Transcript" testId={testIds.calls.transcript}>
            {selected ? <Transcript callId={selected} /> : <div className={brandStyles.muted}>Pick a call</div>}
          </Section>
        </div>
        <Section title="Search every conversation by meaning" testId={testIds.calls.search}>
          <form
            className={css({ display: 'flex', gap: 8, marginBottom: 12 })}
            onSubmit={(e) => {
              e.preventDefault();
              setSearch(text.trim());
            }}
          >
            <Input
              aria-label="Search transcripts"
              placeholder="e.g. it's too expensive for us"
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
            />
            <Button type="submit" disabled={!text.trim()}>
              Search
            </Button>
          </form>
          <div data-testid={testIds.calls.searchResults}>
            {search ? (
              <DataTable
                frame={results.frames.search?.[0]}
                onRowClick={(row) => row.call_id && setCallId(String(row.call_id))}
              />
            ) : (
              <div className={css({ color: BRAND.muted })}>
                Finds turns that mean the same thing, not just the same words.
              </div>
            )}
          </div>
        </Section>
      </div>
    </PluginPage>
  );
}

export default Calls;
