import {
  bucketOriginMs,
  BEAST_MODE_SKILLS,
  TURN_LATENCY_BOUNDS_MS,
  type Embedder,
  type LearningGraphSnapshot,
  type Stores,
} from '@mwva/voice-core';
import type { VoiceRuntime } from '../voice/runtime';
import { booleanField, bucketStarts, frame, numberField, stringField, timeField } from './frames';
import type { DataFrameJSON, QueryKind } from './query-model';

export interface QueryContext {
  refId: string;
  from: string;
  to: string;
  /** Bucket width for time series, in seconds (≥ 60, and coarse enough for maxDataPoints). */
  bucketSeconds: number;
  stores: Stores;
  voice: VoiceRuntime;
  embedder: Embedder;
  capacity: number;
  scalingThreshold: number;
  expertBar: number;
}

type Handler<K extends QueryKind['kind']> = (
  q: Extract<QueryKind, { kind: K }>,
  ctx: QueryContext,
) => Promise<DataFrameJSON[]>;

const PERCENT = { unit: 'percentunit', min: 0, max: 1 };
const LEARNED_POINTS = new Set(['opening', 'discovery']);

/** One handler per query kind; each answers with Grafana data frames. */
export const HANDLERS: { [K in QueryKind['kind']]: Handler<K> } = {
  async active_calls(_q, ctx) {
    const active = await ctx.stores.state.countActive();
    return [
      frame(ctx.refId, 'active_calls', [
        timeField([Date.now()]),
        numberField('active_calls', [active], { unit: 'none' }),
      ]),
    ];
  },

  async call_volume(q, ctx) {
    const points = await ctx.stores.analytics.volume({ ...range(ctx), groupBy: q.groupBy, direction: q.direction });
    const times = buckets(ctx);
    const groups = [...new Set(points.map((p) => p.group))].sort();
    return groups.map((group) => {
      const byTime = new Map(points.filter((p) => p.group === group).map((p) => [Date.parse(p.bucket), p.calls]));
      const labels = q.groupBy === 'none' ? undefined : { [q.groupBy]: group };
      return frame(ctx.refId, group, [
        timeField(times),
        numberField(
          'calls',
          times.map((t) => byTime.get(t) ?? 0),
          undefined,
          labels,
        ),
      ]);
    });
  },

  async kpi(q, ctx) {
    const points = await ctx.stores.analytics.kpis({ ...range(ctx), direction: q.direction });
    const byTime = new Map(points.map((p) => [Date.parse(p.bucket), p]));
    const times = buckets(ctx);
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    const value = (t: number): number | null => {
      const p = byTime.get(t);
      if (!p) return null;
      switch (q.metric) {
        case 'answer_rate':
          return ratio(p.answered, p.calls);
        case 'conversion_rate':
          return ratio(p.converted, p.answered);
        case 'avg_handle_time':
          return ratio(p.handleSeconds, p.answered);
        case 'cost_per_call':
          return ratio(p.costUsd, p.calls);
      }
    };
    const config = {
      answer_rate: PERCENT,
      conversion_rate: PERCENT,
      avg_handle_time: { unit: 's' },
      cost_per_call: { unit: 'currencyUSD' },
    }[q.metric];
    return [frame(ctx.refId, q.metric, [timeField(times), numberField(q.metric, times.map(value), config)])];
  },

  async hangup_causes(q, ctx) {
    const rows = await ctx.stores.analytics.hangupCauses({ from: ctx.from, to: ctx.to }, q.limit);
    return [
      frame(ctx.refId, 'hangup_causes', [
        stringField(
          'cause',
          rows.map((r) => r.cause),
        ),
        numberField(
          'calls',
          rows.map((r) => r.calls),
        ),
      ]),
    ];
  },

  async turn_latency(_q, ctx) {
    const points = await ctx.stores.analytics.turnLatency(range(ctx));
    const byTime = new Map(points.map((p) => [Date.parse(p.bucket), p.counts]));
    const times = buckets(ctx);
    const series = (q: number) => times.map((t) => (byTime.has(t) ? histogramQuantile(byTime.get(t)!, q) : null));
    return [
      frame(ctx.refId, 'turn_latency', [
        timeField(times),
        numberField('p50', series(0.5), { unit: 'ms' }),
        numberField('p95', series(0.95), { unit: 'ms' }),
        numberField('p99', series(0.99), { unit: 'ms' }),
      ]),
    ];
  },

  async beast_mode(q, ctx) {
    const skills = q.skill === 'all' ? [...BEAST_MODE_SKILLS] : [q.skill];
    const scoreConfig = { unit: 'none', min: 0, max: 100, custom: { expertBar: ctx.expertBar } };
    if (q.mode === 'current') {
      const now = await ctx.voice.beastMode.compute();
      const beastMode = now.scores.overall >= ctx.expertBar;
      return [
        frame(
          ctx.refId,
          'beast_mode',
          [
            stringField('skill', skills),
            numberField(
              'score',
              skills.map((s) => now.scores[s]),
              scoreConfig,
            ),
          ],
          { custom: { expertBar: ctx.expertBar, beastMode, callsLearned: now.callsLearned } },
        ),
      ];
    }
    const points = await ctx.stores.analytics.beastModeSeries(range(ctx));
    const times = points.map((p) => Date.parse(p.bucket));
    return [
      frame(ctx.refId, 'beast_mode', [
        timeField(times),
        ...skills.map((s) =>
          numberField(
            s,
            points.map((p) => round1(p.scores[s] ?? null)),
            scoreConfig,
          ),
        ),
      ]),
    ];
  },

  async top_objections(q, ctx) {
    const graph = await ctx.stores.graph.snapshot();
    const rows = objectionStats(graph).slice(0, q.limit);
    return [
      frame(ctx.refId, 'top_objections', [
        stringField(
          'objection',
          rows.map((r) => r.id),
        ),
        stringField(
          'label',
          rows.map((r) => r.label),
        ),
        numberField(
          'times_answered',
          rows.map((r) => r.trials),
        ),
        numberField(
          'win_rate',
          rows.map((r) => r.winRate),
          PERCENT,
        ),
        stringField(
          'best_response',
          rows.map((r) => r.best?.text ?? null),
        ),
        numberField(
          'best_response_win_rate',
          rows.map((r) => r.best?.winRate ?? null),
          PERCENT,
        ),
        numberField(
          'best_response_trials',
          rows.map((r) => r.best?.trials ?? 0),
        ),
      ]),
    ];
  },

  async learning_graph(_q, ctx) {
    const graph = await ctx.stores.graph.snapshot();
    const responseText = new Map(graph.responses.map((r) => [r.id, r.text]));
    const armsByPoint = new Map<string, typeof graph.arms>();
    for (const a of graph.arms) armsByPoint.set(a.objectionId, [...(armsByPoint.get(a.objectionId) ?? []), a]);
    const points = graph.objections.filter((o) => armsByPoint.has(o.id));
    const trialsOf = (id: string) => (armsByPoint.get(id) ?? []).reduce((n, a) => n + a.trials, 0);
    const winsOf = (id: string) => (armsByPoint.get(id) ?? []).reduce((n, a) => n + a.wins, 0);
    const nodes = [
      ...points.map((o) => ({
        id: o.id,
        title: o.label,
        sub: 'decision point',
        trials: trialsOf(o.id),
        wins: winsOf(o.id),
      })),
      ...graph.arms.map((a) => ({
        id: `${a.objectionId}→${a.responseId}`,
        title: a.responseId,
        sub: responseText.get(a.responseId) ?? '',
        trials: a.trials,
        wins: a.wins,
      })),
    ];
    const rate = (w: number, t: number) => (t > 0 ? w / t : 0);
    const meta = { preferredVisualisationType: 'nodeGraph' as const };
    return [
      frame(
        ctx.refId,
        'nodes',
        [
          stringField(
            'id',
            nodes.map((n) => n.id),
          ),
          stringField(
            'title',
            nodes.map((n) => n.title),
          ),
          stringField(
            'subTitle',
            nodes.map((n) => n.sub),
          ),
          numberField(
            'mainStat',
            nodes.map((n) => rate(n.wins, n.trials)),
            { displayName: 'Win rate', unit: 'percentunit' },
          ),
          numberField(
            'secondaryStat',
            nodes.map((n) => n.trials),
            { displayName: 'Times used' },
          ),
          numberField(
            'arc__wins',
            nodes.map((n) => (n.trials > 0 ? rate(n.wins, n.trials) : 0)),
            { color: { mode: 'fixed', fixedColor: '#facc15' } },
          ),
          numberField(
            'arc__losses',
            nodes.map((n) => (n.trials > 0 ? 1 - rate(n.wins, n.trials) : 1)),
            { color: { mode: 'fixed', fixedColor: '#3b82f6' } },
          ),
        ],
        meta,
      ),
      frame(
        ctx.refId,
        'edges',
        [
          stringField(
            'id',
            graph.arms.map((a) => `edge:${a.objectionId}→${a.responseId}`),
          ),
          stringField(
            'source',
            graph.arms.map((a) => a.objectionId),
          ),
          stringField(
            'target',
            graph.arms.map((a) => `${a.objectionId}→${a.responseId}`),
          ),
          numberField(
            'mainStat',
            graph.arms.map((a) => rate(a.wins, a.trials)),
            { displayName: 'Win rate', unit: 'percentunit' },
          ),
          numberField(
            'secondaryStat',
            graph.arms.map((a) => a.trials),
            { displayName: 'Trials' },
          ),
        ],
        meta,
      ),
    ];
  },

  async recent_calls(q, ctx) {
    const calls = (
      await ctx.stores.calls.listCalls({ from: ctx.from, to: ctx.to, limit: q.limit * 4, direction: q.direction })
    )
      .filter((c) => !q.outcome || c.outcome === q.outcome)
      .slice(0, q.limit);
    const duration = (a: string | null, b: string | null) =>
      a && b ? Math.round((Date.parse(b) - Date.parse(a)) / 100) / 10 : null;
    return [
      frame(
        ctx.refId,
        'recent_calls',
        [
          timeField(
            calls.map((c) => Date.parse(c.startedAt)),
            'started',
          ),
          stringField(
            'call_id',
            calls.map((c) => c.id),
          ),
          stringField(
            'direction',
            calls.map((c) => c.direction),
          ),
          stringField(
            'status',
            calls.map((c) => c.status),
          ),
          stringField(
            'outcome',
            calls.map((c) => c.outcome),
          ),
          stringField(
            'from',
            calls.map((c) => c.from),
          ),
          stringField(
            'to',
            calls.map((c) => c.to),
          ),
          stringField(
            'persona',
            calls.map((c) => c.persona),
          ),
          numberField(
            'talk_time',
            calls.map((c) => duration(c.answeredAt, c.endedAt)),
            { unit: 's' },
          ),
          numberField(
            'cost',
            calls.map((c) => c.costUsd),
            { unit: 'currencyUSD' },
          ),
          stringField(
            'hangup_cause',
            calls.map((c) => c.hangupCause),
          ),
        ],
        { preferredVisualisationType: 'table' },
      ),
    ];
  },

  async transcript(q, ctx) {
    const turns = await ctx.stores.transcripts.getTranscript(q.callId);
    return [
      frame(
        ctx.refId,
        'transcript',
        [
          numberField(
            'seq',
            turns.map((t) => t.seq),
          ),
          timeField(turns.map((t) => Date.parse(t.startedAt))),
          stringField(
            'speaker',
            turns.map((t) => t.speaker),
          ),
          stringField(
            'text',
            turns.map((t) => t.text),
          ),
          stringField(
            'intent',
            turns.map((t) => t.intentId),
          ),
          numberField(
            'latency',
            turns.map((t) => t.latencyMs),
            { unit: 'ms' },
          ),
          numberField(
            'confidence',
            turns.map((t) => t.confidence),
            PERCENT,
          ),
        ],
        { preferredVisualisationType: 'table' },
      ),
    ];
  },

  async transcript_search(q, ctx) {
    const matches = await ctx.stores.vectors.query('utterances', ctx.embedder.embed(q.text), q.limit);
    return [
      frame(
        ctx.refId,
        'transcript_search',
        [
          stringField(
            'call_id',
            matches.map((m) => String(m.metadata.callId ?? '')),
          ),
          numberField(
            'seq',
            matches.map((m) => Number(m.metadata.seq ?? 0)),
          ),
          stringField(
            'text',
            matches.map((m) => m.document),
          ),
          numberField(
            'similarity',
            matches.map((m) => round3(1 - m.distance)),
            PERCENT,
          ),
        ],
        { preferredVisualisationType: 'table' },
      ),
    ];
  },

  async unrecognised(q, ctx) {
    const rows = await ctx.stores.transcripts.listUnrecognised({ from: ctx.from, to: ctx.to }, q.limit);
    return [
      frame(
        ctx.refId,
        'unrecognised',
        [
          timeField(rows.map((r) => Date.parse(r.at))),
          stringField(
            'call_id',
            rows.map((r) => r.callId),
          ),
          stringField(
            'text',
            rows.map((r) => r.text),
          ),
          stringField(
            'nearest_intent',
            rows.map((r) => r.nearestIntentId),
          ),
          numberField(
            'similarity',
            rows.map((r) => round3(r.similarity)),
            PERCENT,
          ),
        ],
        { preferredVisualisationType: 'table' },
      ),
    ];
  },

  async capacity(_q, ctx) {
    const active = await ctx.stores.state.countActive();
    return [
      frame(ctx.refId, 'capacity', [
        timeField([Date.now()]),
        numberField('active_calls', [active]),
        numberField('capacity', [ctx.capacity]),
        numberField('utilization', [active / ctx.capacity], PERCENT),
        numberField('scaling_threshold', [ctx.scalingThreshold / 100], PERCENT),
        booleanField('above_threshold', [active / ctx.capacity > ctx.scalingThreshold / 100]),
      ]),
    ];
  },
};

export interface ObjectionStat {
  id: string;
  label: string;
  trials: number;
  winRate: number | null;
  best: { id: string; text: string; winRate: number | null; trials: number } | null;
}

/** Objections by how often the agent answered them, each with its best-known answer (posterior mean). */
export function objectionStats(graph: LearningGraphSnapshot): ObjectionStat[] {
  const text = new Map(graph.responses.map((r) => [r.id, r.text]));
  return graph.objections
    .filter((o) => !LEARNED_POINTS.has(o.id))
    .map((o) => {
      const arms = graph.arms.filter((a) => a.objectionId === o.id);
      const trials = arms.reduce((n, a) => n + a.trials, 0);
      const wins = arms.reduce((n, a) => n + a.wins, 0);
      const mean = (a: (typeof arms)[number]) => (a.wins + 1) / (a.trials + 2);
      const best = arms.length ? arms.reduce((b, a) => (mean(a) > mean(b) ? a : b)) : null;
      return {
        id: o.id,
        label: o.label,
        trials,
        winRate: trials > 0 ? wins / trials : null,
        best: best
          ? {
              id: best.responseId,
              text: text.get(best.responseId) ?? best.responseId,
              winRate: best.trials ? best.wins / best.trials : null,
              trials: best.trials,
            }
          : null,
      };
    })
    .sort((a, b) => b.trials - a.trials || a.id.localeCompare(b.id));
}

/** A quantile of a latency histogram (bounds TURN_LATENCY_BOUNDS_MS), linear within the bucket. */
export function histogramQuantile(counts: number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const lower = i === 0 ? 0 : TURN_LATENCY_BOUNDS_MS[i - 1]!;
    const upper = TURN_LATENCY_BOUNDS_MS[i] ?? lower * 2; // the open bucket: up to twice its lower bound
    if (seen + counts[i]! >= target)
      return round1(lower + ((upper - lower) * (target - seen)) / Math.max(1, counts[i]!));
    seen += counts[i]!;
  }
  return TURN_LATENCY_BOUNDS_MS[TURN_LATENCY_BOUNDS_MS.length - 1]! * 2;
}

function range(ctx: QueryContext) {
  return { from: ctx.from, to: ctx.to, bucketSeconds: ctx.bucketSeconds };
}

function buckets(ctx: QueryContext): number[] {
  // The same origin as the rollup queries': whole hours and days start on UTC boundaries.
  return bucketStarts(
    bucketOriginMs(Date.parse(ctx.from), ctx.bucketSeconds),
    Date.parse(ctx.to),
    ctx.bucketSeconds * 1000,
  );
}

function round1(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10) / 10;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
