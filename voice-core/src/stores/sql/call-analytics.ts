import type { BeastModeSnapshot, DeadLetter, TimeRange } from '../../domain';
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
import { cutParams, gridParams, planRollups, rollupSource } from './rollup-plan';
import { BEAST_MODE_SCORE_TABLES } from './rollup-levels';
import { parseJson } from './json';

/** The bucket of a row of the source `r` (rollupSource): date_bin from the plan's origin. */
const BUCKET = 'date_bin(make_interval(secs => $2), r.bucket, $1::timestamptz)';

/**
 * Dashboard reads in SQL, shared by PGlite and node-postgres. Everything reads the rollups
 * through `reader` (the replica) — per minute, hour or day as planRollups cuts the range —
 * bucketed with date_bin and bounded by the range.
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
      `select ${BUCKET} as b,
              case $9::text when 'direction' then direction when 'outcome' then outcome else 'all' end as grp,
              sum(calls)::bigint as calls
       from ${rollupSource('call_rollups', 'bucket, direction, outcome, calls')}
       where ($10::text is null or direction = $10)
       group by 1, 2 having sum(calls) <> 0 order by 1, 2`,
      [...gridParams(q), q.groupBy, q.direction ?? null],
    );
    return rows.map((r) => ({ bucket: iso(r.b), group: String(r.grp), calls: Number(r.calls) }));
  }

  async kpis(q: BucketQuery): Promise<KpiPoint[]> {
    const { rows } = await this.reader.query(
      `select ${BUCKET} as b,
              sum(calls)::bigint as calls, sum(answered)::bigint as answered, sum(converted)::bigint as converted,
              -- Rounded: floating-point sums must not depend on row order (replica, restore).
              round(sum(handle_seconds)::numeric, 3)::float8 as handle_seconds,
              round(sum(cost_usd)::numeric, 6)::float8 as cost_usd
       from ${rollupSource('call_rollups', 'bucket, direction, calls, answered, converted, handle_seconds, cost_usd')}
       where ($9::text is null or direction = $9)
       group by 1 having sum(calls) <> 0 order by 1`,
      [...gridParams(q), q.direction ?? null],
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
    // No buckets: whole days may come from the daily table.
    const { rows } = await this.reader.query(
      `select cause, sum(calls)::bigint as calls from ${rollupSource('hangup_rollups', 'bucket, cause, calls', 1)}
       group by cause having sum(calls) <> 0 order by 2 desc, 1 limit $7`,
      [...cutParams(planRollups(range, 86_400)), limit],
    );
    return rows.map((r) => ({ cause: String(r.cause), calls: Number(r.calls) }));
  }

  async turnLatency(q: BucketQuery): Promise<LatencyPoint[]> {
    const { rows } = await this.reader.query(
      `select ${BUCKET} as b, le_index, sum(turns)::bigint as turns
       from ${rollupSource('turn_latency_rollups', 'bucket, le_index, turns')}
       group by 1, 2 order by 1, 2`,
      gridParams(q),
    );
    const points = new Map<string, number[]>();
    for (const r of rows) {
      const bucket = iso(r.b);
      const counts = points.get(bucket) ?? new Array<number>(TURN_LATENCY_BOUNDS_MS.length + 1).fill(0);
      counts[Number(r.le_index)] = Number(r.turns);
      points.set(bucket, counts);
    }
    return [...points]
      .filter(([, counts]) => counts.some((n) => n > 0))
      .map(([bucket, counts]) => ({ bucket, counts }));
  }

  async beastModeSeries(q: BucketQuery): Promise<ScorePoint[]> {
    // Minute edges expand the snapshots' JSONB; whole hours and days read the score sums.
    const { rows } = await this.reader.query(
      `select ${BUCKET} as b, skill, sum(score_sum) / sum(samples) as score
       from (
         select taken_at as bucket, s.key as skill, s.value::float8 as score_sum, 1 as samples
         from beast_mode_snapshots, jsonb_each_text(scores) as s
         where (taken_at >= $3 and taken_at < $4) or (taken_at >= $7 and taken_at < $8)
         union all
         select bucket, skill, score_sum, samples from ${BEAST_MODE_SCORE_TABLES.hourly}
         where (bucket >= $4 and bucket < $5) or (bucket >= $6 and bucket < $7)
         union all
         select bucket, skill, score_sum, samples from ${BEAST_MODE_SCORE_TABLES.daily}
         where bucket >= $5 and bucket < $6
       ) r
       group by 1, 2 having sum(samples) > 0 order by 1, 2`,
      gridParams(q),
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

  async latestBeastModeSnapshots(limit: number): Promise<BeastModeSnapshot[]> {
    const { rows } = await this.reader.query(
      'select taken_at, scores, calls_learned from beast_mode_snapshots order by taken_at desc limit $1',
      [limit],
    );
    return rows.reverse().map((r) => ({
      takenAt: iso(r.taken_at),
      scores: parseJson(r.scores) as BeastModeSnapshot['scores'],
      callsLearned: Number(r.calls_learned),
    }));
  }

  async unappliedEvents(): Promise<number> {
    const { rows } = await this.writer.query<{ n: string }>(
      `select count(*) as n from call_events e where e.applied_at is null
         and not exists (select 1 from event_dead_letters d where d.event_id = e.id)`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async deadLetters(limit: number): Promise<{ total: number; newest: DeadLetter[] }> {
    // Read on the primary: the set changes when ops re-drive, and a lagging replica would hide that.
    const [{ rows: count }, { rows }] = await Promise.all([
      this.writer.query<{ n: string }>('select count(*) as n from event_dead_letters'),
      this.writer.query(
        `select e.id, e.call_id, e.type, e.occurred_at, e.payload, e.attempts, e.last_error, d.dead_at, d.reason
         from event_dead_letters d join call_events e on e.id = d.event_id
         order by d.dead_at desc, e.id limit $1`,
        [limit],
      ),
    ]);
    return {
      total: Number(count[0]?.n ?? 0),
      newest: rows.map((r) => ({
        event: {
          id: String(r.id),
          callId: String(r.call_id),
          type: String(r.type),
          occurredAt: iso(r.occurred_at),
          payload: parseJson(r.payload),
        },
        attempts: Number(r.attempts),
        lastError: (r.last_error as string | null) ?? null,
        deadAt: iso(r.dead_at),
        reason: String(r.reason),
      })),
    };
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
