import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { rows } from '../../api/frames';
import { useVoiceQuery } from '../../api/useVoiceQuery';
import { BarList } from '../../components/charts/BarList';
import { DataTable } from '../../components/charts/DataTable';
import { NodeGraphView } from '../../components/charts/NodeGraphView';
import { QueryStatus, Section } from '../../components/PageSection';
import { brandStyles } from '../../components/brand/BrandRoot';
import { testIds } from '../../components/testIds';

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v) || 0);

/** What the agent learned: objections → responses with win rates, and what it did not understand. */
function LearningGraph() {
  const q = useVoiceQuery([
    { refId: 'graph', kind: 'learning_graph' },
    { refId: 'objections', kind: 'top_objections', limit: 8 },
    { refId: 'unrecognised', kind: 'unrecognised', limit: 20 },
  ]);
  // top_objections: label, times_answered, win_rate (0–1), best_response, best_response_win_rate.
  const objections = rows(q.frames.objections?.[0]).map((o) => {
    const winRate = o.win_rate;
    return {
      label: String(o.label ?? o.objection ?? '?'),
      value: num(o.times_answered),
      display: `${num(o.times_answered)}×`,
      secondary: typeof winRate === 'number' ? `${Math.round(winRate * 100)}% win` : undefined,
    };
  });

  return (
    <PluginPage>
      <div data-testid={testIds.learning.container}>
        <QueryStatus errors={q.errors} missingDatasource={q.missingDatasource} />
        <div className={brandStyles.grid(420)}>
          <Section title="Objections → responses (win rate)">
            <NodeGraphView frames={q.frames.graph ?? []} testId={testIds.learning.graph} />
          </Section>
        </div>
        <div className={brandStyles.grid(380)}>
          <Section title="Top objections" testId={testIds.learning.objections}>
            <BarList items={objections} empty="No objections raised in this range" />
          </Section>
          <Section title="Unrecognised utterances" testId={testIds.learning.unrecognised}>
            <DataTable
              frame={q.frames.unrecognised?.[0]}
              columns={['text', 'nearest_intent', 'time']}
              humanize={['nearest_intent']}
              maxRows={12}
            />
          </Section>
        </div>
      </div>
    </PluginPage>
  );
}

export default LearningGraph;
