import type { KpiMetric } from '@mwva/contract';
import { vectorCollection, type Embedder } from '../conversation/embedder';
import type { CallDirection, CallOutcome, CallRecord, DeadLetter, TimeRange, TranscriptTurn } from '../domain';
import { computeBeastMode, isBeastMode, type BeastModeOptions, type BeastModeScores } from '../learning/beast-mode';
import type { Stores } from '../ports';
import { denseSeries, type BucketGrid } from './bucket-grid';
import { histogramQuantile } from './latency';
import { learningGraphView, type LearningGraphView } from './learning-graph';
import { objectionStats, type ObjectionStat } from './objections';

export interface DashboardOptions {
  /** CALL_CAPACITY and SCALING_THRESHOLD (%). */
  capacity: number;
  scalingThreshold: number;
  beastMode: BeastModeOptions;
  /** The runtime's embedder: transcript search must embed with the model that wrote the vectors. */
  embedder: Embedder;
}

/** A series over a grid: one value per bucket start. */
export interface Series<T = number | null> {
  times: number[];
  values: T[];
}

export interface BeastModeNow {
  scores: BeastModeScores;
  callsLearned: number;
  expertBar: number;
  /** On when the overall score reached the bar in each of the last `sustain` snapshots. */
  beastMode: boolean;
}

/**
 * What the dashboards read, from the stores only: no call handling is needed, so dashboards
 * answer as soon as the stores do. Each read returns plain data; turning it into Grafana's
 * data frames is the server's job.
 */
export class DashboardReads {
  constructor(
    private readonly stores: Stores,
    private readonly options: DashboardOptions,
  ) {}

  async activeCalls(): Promise<{ at: number; active: number }> {
    return { at: Date.now(), active: await this.stores.state.countActive() };
  }

  async capacity() {
    const { active, at } = await this.activeCalls();
    const utilization = active / this.options.capacity;
    const threshold = this.options.scalingThreshold / 100;
    return {
      at,
      active,
      capacity: this.options.capacity,
      utilization,
      threshold,
      aboveThreshold: utilization > threshold,
    };
  }

  /** Calls started per bucket, one zero-filled series per group (direction, outcome, or all). */
  async callVolume(
    grid: BucketGrid,
    q: { groupBy: 'none' | 'direction' | 'outcome'; direction?: CallDirection },
  ): Promise<{ group: string; series: Series<number> }[]> {
    const points = await this.stores.analytics.volume({ ...grid, groupBy: q.groupBy, direction: q.direction });
    const groups = [...new Set(points.map((p) => p.group))].sort();
    return groups.map((group) => ({
      group,
      series: denseSeries(grid, new Map(points.filter((p) => p.group === group).map((p) => [p.bucket, p.calls])), 0),
    }));
  }

  /** A rate or average per bucket; a bucket without calls has no value (null), not zero. */
  async kpi(grid: BucketGrid, q: { metric: KpiMetric; direction?: CallDirection }): Promise<Series> {
    const points = await this.stores.analytics.kpis({ ...grid, direction: q.direction });
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    const value = (p: (typeof points)[number]): number | null => {
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
    return denseSeries(grid, new Map(points.map((p) => [p.bucket, value(p)])), null);
  }

  hangupCauses(range: TimeRange, limit: number): Promise<{ cause: string; calls: number }[]> {
    return this.stores.analytics.hangupCauses(range, limit);
  }

  /** Turn latency percentiles per bucket, from the per-minute histograms. */
  async turnLatency(
    grid: BucketGrid,
  ): Promise<{ times: number[]; p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] }> {
    const points = await this.stores.analytics.turnLatency(grid);
    const { times, values } = denseSeries(grid, new Map(points.map((p) => [p.bucket, p.counts])), null);
    const quantile = (q: number) => values.map((counts) => (counts ? histogramQuantile(counts, q) : null));
    return { times, p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99) };
  }

  /** The scores now, and whether Beast Mode is on (from the stored snapshots, any replica's). */
  async beastModeNow(): Promise<BeastModeNow> {
    const { beastMode: options } = this.options;
    const [now, latest] = await Promise.all([
      computeBeastMode(this.stores, options),
      this.stores.analytics.latestBeastModeSnapshots(options.sustain),
    ]);
    return {
      scores: now.scores,
      callsLearned: now.callsLearned,
      expertBar: options.expertBar,
      beastMode: isBeastMode(latest, options),
    };
  }

  /** Mean score per bucket and skill, where snapshots were taken. */
  async beastModeSeries(grid: BucketGrid): Promise<{ times: number[]; scores: Record<string, number>[] }> {
    const points = await this.stores.analytics.beastModeSeries(grid);
    return { times: points.map((p) => Date.parse(p.bucket)), scores: points.map((p) => p.scores) };
  }

  get expertBar(): number {
    return this.options.beastMode.expertBar;
  }

  async topObjections(limit: number): Promise<ObjectionStat[]> {
    return objectionStats(await this.stores.graph.snapshot()).slice(0, limit);
  }

  async learningGraph(): Promise<LearningGraphView> {
    return learningGraphView(await this.stores.graph.snapshot());
  }

  /** Newest calls in the range; the outcome filter is applied to a wider page so it still fills `limit`. */
  async recentCalls(
    range: TimeRange,
    q: { limit: number; direction?: CallDirection; outcome?: CallOutcome },
  ): Promise<CallRecord[]> {
    const calls = await this.stores.calls.listCalls({ ...range, limit: q.limit * 4, direction: q.direction });
    return calls.filter((c) => !q.outcome || c.outcome === q.outcome).slice(0, q.limit);
  }

  transcript(callId: string): Promise<TranscriptTurn[]> {
    return this.stores.transcripts.getTranscript(callId);
  }

  /** Prospect turns nearest in meaning to `text`. */
  async transcriptSearch(text: string, limit: number) {
    const { embedder } = this.options;
    const matches = await this.stores.vectors.query(
      vectorCollection('utterances', embedder),
      embedder.embed(text),
      limit,
    );
    return matches.map((m) => ({
      callId: String(m.metadata.callId ?? ''),
      seq: Number(m.metadata.seq ?? 0),
      text: m.document,
      similarity: 1 - m.distance,
    }));
  }

  unrecognised(range: TimeRange, limit: number) {
    return this.stores.transcripts.listUnrecognised(range, limit);
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    return (await this.stores.analytics.deadLetters(limit)).newest;
  }

  /** Objections as variable values: the decision points that are objections, not our own lines. */
  async objections(): Promise<{ id: string; label: string }[]> {
    return objectionStats(await this.stores.graph.snapshot())
      .map((o) => ({ id: o.id, label: o.label }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  distinctValues(attribute: 'persona' | 'campaign', range: TimeRange, limit: number): Promise<string[]> {
    return this.stores.analytics.distinctValues(attribute, range, limit);
  }
}
