import { BEAST_MODE_SKILLS, type BeastModeMeta, type DataFrameJSON, type QueryKind } from '@mwva/contract';
import type { BucketGrid, DashboardReads, TimeRange } from '@mwva/voice-core';
import { flag, indexes, num, PERCENT, tableFrame, text, time } from './frames';

export interface KindContext {
  refId: string;
  range: TimeRange;
  grid: BucketGrid;
  reads: DashboardReads;
}

type Translate<K extends QueryKind['kind']> = (
  q: Extract<QueryKind, { kind: K }>,
  ctx: KindContext,
) => Promise<DataFrameJSON[]>;

const KPI_CONFIG = {
  answer_rate: PERCENT,
  conversion_rate: PERCENT,
  avg_handle_time: { unit: 's' },
  cost_per_call: { unit: 'currencyUSD' },
} as const;

/**
 * One translation per query kind: a dashboard read, answered as Grafana data frames with the
 * contract's fields. No domain logic lives here.
 */
export const KINDS: { [K in QueryKind['kind']]: Translate<K> } = {
  async active_calls(_q, { refId, reads }) {
    const now = await reads.activeCalls();
    return [
      tableFrame(refId, 'active_calls', [now], {
        time: time((r) => r.at),
        active_calls: num((r) => r.active, { unit: 'none' }),
      }),
    ];
  },

  async call_volume(q, { refId, reads, grid }) {
    const groups = await reads.callVolume(grid, q);
    return groups.map(({ group, series }) =>
      tableFrame(
        refId,
        'call_volume',
        indexes(series.times.length),
        {
          time: time((i) => series.times[i]!),
          calls: num((i) => series.values[i]!, undefined, q.groupBy === 'none' ? undefined : { [q.groupBy]: group }),
        },
        { frameName: group },
      ),
    );
  },

  async kpi(q, { refId, reads, grid }) {
    const series = await reads.kpi(grid, q);
    return [
      tableFrame(
        refId,
        'kpi',
        indexes(series.times.length),
        {
          time: time((i) => series.times[i]!),
          value: num((i) => series.values[i]!, { ...KPI_CONFIG[q.metric], displayName: q.metric }),
        },
        { frameName: q.metric },
      ),
    ];
  },

  async hangup_causes(q, { refId, reads, range }) {
    const rows = await reads.hangupCauses(range, q.limit);
    return [tableFrame(refId, 'hangup_causes', rows, { cause: text((r) => r.cause), calls: num((r) => r.calls) })];
  },

  async turn_latency(_q, { refId, reads, grid }) {
    const s = await reads.turnLatency(grid);
    const ms = { unit: 'ms' };
    return [
      tableFrame(refId, 'turn_latency', indexes(s.times.length), {
        time: time((i) => s.times[i]!),
        p50: num((i) => s.p50[i]!, ms),
        p95: num((i) => s.p95[i]!, ms),
        p99: num((i) => s.p99[i]!, ms),
      }),
    ];
  },

  async beast_mode(q, { refId, reads, grid }) {
    const skills = q.skill === 'all' ? [...BEAST_MODE_SKILLS] : [q.skill];
    const config = { unit: 'none', min: 0, max: 100, custom: { expertBar: reads.expertBar } };
    if (q.mode === 'current') {
      const now = await reads.beastModeNow();
      const meta: BeastModeMeta = {
        expertBar: now.expertBar,
        beastMode: now.beastMode,
        callsLearned: now.callsLearned,
      };
      return [
        tableFrame(
          refId,
          'beast_mode_current',
          skills,
          { skill: text((s) => s), score: num((s) => now.scores[s], config) },
          { frameName: 'beast_mode', meta: { custom: meta } },
        ),
      ];
    }
    const series = await reads.beastModeSeries(grid);
    return skills.map((skill) =>
      tableFrame(
        refId,
        'beast_mode_series',
        indexes(series.times.length),
        {
          time: time((i) => series.times[i]!),
          score: num((i) => round1(series.scores[i]![skill] ?? null), config, { skill }),
        },
        { frameName: skill },
      ),
    );
  },

  async top_objections(q, { refId, reads }) {
    const rows = await reads.topObjections(q.limit);
    return [
      tableFrame(refId, 'top_objections', rows, {
        objection: text((r) => r.id),
        label: text((r) => r.label),
        times_answered: num((r) => r.trials),
        win_rate: num((r) => r.winRate, PERCENT),
        best_response: text((r) => r.best?.text ?? null),
        best_response_win_rate: num((r) => r.best?.winRate ?? null, PERCENT),
        best_response_trials: num((r) => r.best?.trials ?? 0),
      }),
    ];
  },

  async learning_graph(_q, { refId, reads }) {
    const { nodes, edges } = await reads.learningGraph();
    const rate = (wins: number, trials: number) => (trials > 0 ? wins / trials : 0);
    const meta = { preferredVisualisationType: 'nodeGraph' as const };
    return [
      tableFrame(
        refId,
        'learning_graph_nodes',
        nodes,
        {
          id: text((n) => n.id),
          title: text((n) => n.title),
          subTitle: text((n) => n.subTitle),
          mainStat: num((n) => rate(n.wins, n.trials), { displayName: 'Win rate', unit: 'percentunit' }),
          secondaryStat: num((n) => n.trials, { displayName: 'Times used' }),
          arc__wins: num((n) => rate(n.wins, n.trials), { color: { mode: 'fixed', fixedColor: '#facc15' } }),
          arc__losses: num((n) => (n.trials > 0 ? 1 - rate(n.wins, n.trials) : 1), {
            color: { mode: 'fixed', fixedColor: '#3b82f6' },
          }),
        },
        { frameName: 'nodes', meta },
      ),
      tableFrame(
        refId,
        'learning_graph_edges',
        edges,
        {
          id: text((e) => e.id),
          source: text((e) => e.source),
          target: text((e) => e.target),
          mainStat: num((e) => rate(e.wins, e.trials), { displayName: 'Win rate', unit: 'percentunit' }),
          secondaryStat: num((e) => e.trials, { displayName: 'Trials' }),
        },
        { frameName: 'edges', meta },
      ),
    ];
  },

  async recent_calls(q, { refId, reads, range }) {
    const calls = await reads.recentCalls(range, q);
    const seconds = (a: string | null, b: string | null) =>
      a && b ? Math.round((Date.parse(b) - Date.parse(a)) / 100) / 10 : null;
    return [
      tableFrame(
        refId,
        'recent_calls',
        calls,
        {
          started: time((c) => Date.parse(c.startedAt)),
          call_id: text((c) => c.id),
          direction: text((c) => c.direction),
          status: text((c) => c.status),
          outcome: text((c) => c.outcome),
          from: text((c) => c.from),
          to: text((c) => c.to),
          persona: text((c) => c.persona),
          campaign: text((c) => c.campaign),
          talk_time: num((c) => seconds(c.answeredAt, c.endedAt), { unit: 's' }),
          cost: num((c) => c.costUsd, { unit: 'currencyUSD' }),
          hangup_cause: text((c) => c.hangupCause),
        },
        { meta: { preferredVisualisationType: 'table' } },
      ),
    ];
  },

  async transcript(q, { refId, reads }) {
    const turns = await reads.transcript(q.callId);
    return [
      tableFrame(
        refId,
        'transcript',
        turns,
        {
          seq: num((t) => t.seq),
          time: time((t) => Date.parse(t.startedAt)),
          speaker: text((t) => t.speaker),
          text: text((t) => t.text),
          intent: text((t) => t.intentId),
          latency: num((t) => t.latencyMs, { unit: 'ms' }),
          confidence: num((t) => t.confidence, PERCENT),
        },
        { meta: { preferredVisualisationType: 'table' } },
      ),
    ];
  },

  async transcript_search(q, { refId, reads }) {
    const matches = await reads.transcriptSearch(q.text, q.limit);
    return [
      tableFrame(
        refId,
        'transcript_search',
        matches,
        {
          call_id: text((m) => m.callId),
          seq: num((m) => m.seq),
          text: text((m) => m.text),
          similarity: num((m) => round3(m.similarity), PERCENT),
        },
        { meta: { preferredVisualisationType: 'table' } },
      ),
    ];
  },

  async unrecognised(q, { refId, reads, range }) {
    const rows = await reads.unrecognised(range, q.limit);
    return [
      tableFrame(
        refId,
        'unrecognised',
        rows,
        {
          time: time((r) => Date.parse(r.at)),
          call_id: text((r) => r.callId),
          text: text((r) => r.text),
          nearest_intent: text((r) => r.nearestIntentId),
          similarity: num((r) => round3(r.similarity), PERCENT),
        },
        { meta: { preferredVisualisationType: 'table' } },
      ),
    ];
  },

  async capacity(_q, { refId, reads }) {
    const c = await reads.capacity();
    return [
      tableFrame(refId, 'capacity', [c], {
        time: time((r) => r.at),
        active_calls: num((r) => r.active),
        capacity: num((r) => r.capacity),
        utilization: num((r) => r.utilization, PERCENT),
        scaling_threshold: num((r) => r.threshold, PERCENT),
        above_threshold: flag((r) => r.aboveThreshold),
      }),
    ];
  },

  async dead_letters(q, { refId, reads }) {
    const rows = await reads.deadLetters(q.limit);
    return [
      tableFrame(
        refId,
        'dead_letters',
        rows,
        {
          dead_at: time((d) => Date.parse(d.deadAt)),
          event_id: text((d) => d.event.id),
          call_id: text((d) => d.event.callId),
          type: text((d) => d.event.type),
          occurred_at: time((d) => Date.parse(d.event.occurredAt)),
          attempts: num((d) => d.attempts),
          reason: text((d) => d.reason),
        },
        { meta: { preferredVisualisationType: 'table' } },
      ),
    ];
  },
};

function round1(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10) / 10;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
