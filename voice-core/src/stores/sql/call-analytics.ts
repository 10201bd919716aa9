import type { TimeRange } from '../../domain';
import {
  TURN_LATENCY_BOUNDS_MS,
  type AdapterKind,
  type BucketQuery,
  type CallAnalytics,
  type KpiPoint,
  type LatencyPoint,
  type ScorePoint,
  type StoreHealth,
  type VolumePoint,
} from '../../ports';
import { iso, type SqlExecutor, type SqlQueryable } from './executor';
import { probeHealth } from '../health';
import { lastBackupSuccess } from '../../backup/status';

/** Rollups are per minute; a coarser bucket must be a whole number of minutes. */
function bucketSeconds(q: BucketQuery): number {
  return Math.max(60, Math.round(q.bucketSeconds / 60) * 60);
}

/**
 * Dashboard reads in SQL, shared by PGlite and node-postgres. Everything reads the per-minute
 * rollups through `reader` (the replica), bucketed with date_bin and bounded by the range.
 */
export class SqlCallAnalytics implements CallAnalytics {
  readonly store = 'postgres' as const;

  constructor(
    readonly kind: AdapterKind,
    private readonly reader: SqlQueryable,
    private readonly writer: SqlExecutor,
  ) {}

  async volume(q: BucketQuery & { groupBy: 'none' | 'direction' | 'outcome' }): Promise<VolumePoint[]> {
    const { rows } = await this.reader.query(
      `select date_bin(make_interval(secs => $3), bucket, $1::timestamptz) as b,
              case $4::text when 'direction' then direction when 'outcome' then outcome else 'all' end as grp,
              sum(calls)::bigint as calls
       from call_rollups
       where bucket >= $1 and bucket < $2 and ($5::text is null or direction = $5)
       group by 1, 2 order by 1, 2`,
      [q.from, q.to, bucketSeconds(q), q.groupBy, q.direction ?? null],
    );
    return rows.map((r) => ({ bucket: iso(r.b), group: String(r.grp), calls: Number(r.calls) }));
  }

  async kpis(q: BucketQuery): Promise<KpiPoint[]> {
    const { rows } = await this.reader.query(
      `select date_bin(make_interval(secs => $3), bucket, $1::timestamptz) as b,
              sum(calls)::bigint as calls, sum(answered)::bigint as answered, sum(converted)::bigint as converted,
              -- Rounded: floating-point sums must not depend on row order (replica, restore).
              round(sum(handle_seconds)::numeric, 3)::float8 as handle_seconds,
              round(sum(cost_usd)::numeric, 6)::float8 as cost_usd
       from call_rollups
       where bucket >= $1 and bucket < $2 and ($4::text is null or direction = $4)
       group by 1 order by 1`,
      [q.from, q.to, bucketSeconds(q), q.direction ?? null],
    );
    return rows.map((r) => ({
      bucket: iso(r.b),
      calls: Number(r.calls),
      answered: Number(r.answered),
      converted: Number(r.converted),
      handleSeconds: Number(r.handle_seconds),
      costUsd: Number(r.cost_usd),
    }));
  }

  async hangupCauses(range: TimeRange, limit: number): Promise<{ cause: string; calls: number }[]> {
    const { rows } = await this.reader.query(
      `select cause, sum(calls)::bigint as calls from hangup_rollups
       where bucket >= $1 and bucket < $2 group by cause order by 2 desc, 1 limit $3`,
      [range.from, range.to, limit],
    );
    return rows.map((r) => ({ cause: String(r.cause), calls: Number(r.calls) }));
  }

  async turnLatency(q: BucketQuery): Promise<LatencyPoint[]> {
    const { rows } = await this.reader.query(
      `select date_bin(make_interval(secs => $3), bucket, $1::timestamptz) as b, le_index, sum(turns)::bigint as turns
       from turn_latency_rollups where bucket >= $1 and bucket < $2
       group by 1, 2 order by 1, 2`,
      [q.from, q.to, bucketSeconds(q)],
    );
    const points = new Map<string, number[]>();
    for (const r of rows) {
      const bucket = iso(r.b);
      const counts = points.get(bucket) ?? new Array<number>(TURN_LATENCY_BOUNDS_MS.length + 1).fill(0);
      counts[Number(r.le_index)] = Number(r.turns);
      points.set(bucket, counts);
    }
    return [...points].map(([bucket, counts]) => ({ bucket, counts }));
  }

  async addTurnLatencies(samples: { at: string; latencyMs: number }[]): Promise<void> {
    if (samples.length === 0) return;
    const counts = new Map<string, number>();
    for (const s of samples) {
      const minute = new Date(Math.floor(Date.parse(s.at) / 60_000) * 60_000).toISOString();
      const index = TURN_LATENCY_BOUNDS_MS.findIndex((le) => s.latencyMs <= le);
      const key = `${minute}|${index === -1 ? TURN_LATENCY_BOUNDS_MS.length : index}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const entries = [...counts].map(([key, n]) => [...key.split('|'), n] as [string, string, number]);
    await this.writer.query(
      `insert into turn_latency_rollups (bucket, le_index, turns)
       select * from unnest($1::timestamptz[], $2::smallint[], $3::integer[])
       on conflict (bucket, le_index) do update set turns = turn_latency_rollups.turns + excluded.turns`,
      [entries.map((e) => e[0]), entries.map((e) => Number(e[1])), entries.map((e) => e[2])],
    );
  }

  async beastModeSeries(q: BucketQuery): Promise<ScorePoint[]> {
    const { rows } = await this.reader.query(
      `select date_bin(make_interval(secs => $3), taken_at, $1::timestamptz) as b, s.key as skill, avg(s.value::float) as score
       from beast_mode_snapshots, jsonb_each_text(scores) as s
       where taken_at >= $1 and taken_at < $2
       group by 1, 2 order by 1, 2`,
      [q.from, q.to, Math.max(1, Math.round(q.bucketSeconds))],
    );
    const points = new Map<string, Record<string, number>>();
    for (const r of rows) {
      const bucket = iso(r.b);
      points.set(bucket, { ...(points.get(bucket) ?? {}), [String(r.skill)]: Number(r.score) });
    }
    return [...points].map(([bucket, scores]) => ({ bucket, scores }));
  }

  async distinctValues(attribute: 'persona' | 'campaign', range: TimeRange, limit: number): Promise<string[]> {
    const column = attribute === 'persona' ? 'persona' : 'campaign'; // never interpolate input
    const { rows } = await this.reader.query(
      `select ${column} as v, count(*) as n from calls
       where started_at >= $1 and started_at < $2 and ${column} is not null and ${column} <> ''
       group by 1 order by 2 desc, 1 limit $3`,
      [range.from, range.to, limit],
    );
    return rows.map((r) => String(r.v));
  }

  lastBackupSuccess(): Promise<number | null> {
    // The backup command records its runs on the primary.
    return lastBackupSuccess(this.writer);
  }

  health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, () => this.reader.query('select 1'));
  }

  /** Shares the call store's connections; closing is the call store's job. */
  async close(): Promise<void> {}
}
