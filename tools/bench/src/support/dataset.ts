import type pg from 'pg';
import { DERIVED_TABLES, ROLLUP_SOURCE_TABLES } from '@mwva/voice-core';
import { log } from './report';

/**
 * A synthetic call history written with generate_series: `calls` over `days` days ending now,
 * and the rollups the server would have written for exactly those calls (call_rollups,
 * hangup_rollups, call_rollup_applied — so the recovery sweep finds nothing to roll up again),
 * turn-latency histograms (4 turns per answered call), a Beast Mode snapshot every minute
 * (BEAST_MODE_INTERVAL_MS's default), and the hourly/daily rollups derived from them.
 * Outcomes are drawn from a fixed hash of the row number: same size → same data.
 */
export async function generateDataset(
  c: pg.Client,
  calls: number,
  days: number,
  unlogged: boolean,
): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  const timed = async (name: string, sql: string, params: unknown[] = []) => {
    const t0 = performance.now();
    await (params.length ? c.query(sql, params) : c.query(sql));
    timings[name] = Math.round((timings[name] ?? 0) + (performance.now() - t0));
  };
  const tables = [
    'calls',
    'call_rollups',
    'hangup_rollups',
    'turn_latency_rollups',
    'beast_mode_snapshots',
    'call_rollup_applied',
    // Before call_events: a logged table may not reference an unlogged one.
    'event_dead_letters',
    'call_events',
    ...DERIVED_TABLES,
  ];
  if (unlogged) {
    // No WAL for the bulk rows: the shared streaming replica is not flooded (reads go to the primary).
    for (const t of tables) await c.query(`alter table ${t} set unlogged`);
  }
  // The bulk load is faster without the secondary indexes; they are rebuilt after.
  await c.query(
    'drop index if exists calls_started_at_idx, calls_call_control_id_idx, calls_queued_idx, calls_ended_idx',
  );
  await c.query(`set synchronous_commit = off`);
  // One transaction: the server under test is already running, and its recovery sweep would
  // otherwise see ended calls without rollups half-way through the load and roll them up itself.
  await c.query('begin');
  const spanMs = days * 86_400_000;
  const t0 = new Date(Date.now() - spanMs).toISOString();
  const chunk = 1_000_000;
  for (let lo = 1; lo <= calls; lo += chunk) {
    const hi = Math.min(calls, lo + chunk - 1);
    await timed(
      'calls',
      `insert into calls (id, direction, status, from_number, to_number, persona, campaign, call_control_id,
                          call_session_id, started_at, answered_at, ended_at, outcome, hangup_cause, hangup_source,
                          cost_usd, updated_at)
       select md5(g::text)::uuid::text,
              case when g % 2 = 0 then 'inbound' else 'outbound' end,
              'ended',
              '+1555' || lpad((g % 10000000)::text, 7, '0'), '+15550100000',
              (array['closer', 'consultant', 'friendly'])[1 + g % 3], 'bench',
              'v3:bench-' || g, 'session-' || g,
              s, a, e, o, h, 'callee', round((extract(epoch from e - s) / 60 * 0.01)::numeric, 4)::float8, e
       from generate_series($1::int, $2::int) g,
       lateral (select ((g::bigint * 2654435761) % 1000) / 1000.0 as u,
                       $3::timestamptz + (g - 1) * ($4::float8 / $5::float8) * interval '1 millisecond' as s) r,
       lateral (select case when u < 0.25 then 'no_answer' when u < 0.35 then 'voicemail'
                            when u < 0.45 then 'converted' when u < 0.97 then 'not_converted' else 'failed' end as o) oc,
       lateral (select case when o in ('converted', 'not_converted', 'voicemail') then s + interval '8 seconds' end as a,
                       s + case when o in ('converted', 'not_converted') then (30 + (g % 300)) * interval '1 second'
                                when o = 'voicemail' then interval '40 seconds'
                                when o = 'no_answer' then interval '30 seconds' else interval '1 second' end as e,
                       case when o = 'no_answer' then (case when g % 2 = 0 then 'timeout' else 'no_answer' end)
                            when o = 'failed' then 'dial_failed_503' else 'normal_clearing' end as h) t`,
      [lo, hi, t0, spanMs, calls],
    );
    log(`dataset: ${hi}/${calls} calls`);
  }
  // Row triggers would maintain the hourly/daily rollups one minute row at a time; the bulk
  // load switches them off and rebuilds those tables in one pass at the end.
  for (const t of ROLLUP_SOURCE_TABLES) await c.query(`alter table ${t} disable trigger user`);
  await timed('rollups', `insert into call_rollup_applied (call_id) select id from calls where campaign = 'bench'`);
  await timed(
    'rollups',
    `insert into call_rollups (bucket, direction, outcome, calls, answered, converted, handle_seconds, cost_usd)
     select date_trunc('minute', started_at), direction, outcome, count(*),
            count(answered_at), count(*) filter (where outcome = 'converted'),
            coalesce(sum(extract(epoch from ended_at - answered_at)) filter (where answered_at is not null), 0),
            coalesce(sum(cost_usd), 0)
     from calls where campaign = 'bench' group by 1, 2, 3`,
  );
  await timed(
    'rollups',
    `insert into hangup_rollups (bucket, cause, calls)
     select date_trunc('minute', started_at), coalesce(hangup_cause, 'unknown'), count(*)
     from calls where campaign = 'bench' group by 1, 2`,
  );
  // 4 turns per answered call, spread over the latency buckets in fixed shares.
  await timed(
    'rollups',
    `insert into turn_latency_rollups (bucket, le_index, turns)
     select b, le, (n * 4 * share)::int from (
       select date_trunc('minute', started_at) as b, count(*) as n from calls
       where campaign = 'bench' and answered_at is not null group by 1) m,
     unnest(array[0, 1, 2, 3, 4, 5, 6, 7], array[0.01, 0.04, 0.2, 0.35, 0.25, 0.1, 0.04, 0.01]) as x(le, share)
     where (n * 4 * share)::int > 0`,
  );
  await timed(
    'rollups',
    `insert into beast_mode_snapshots (taken_at, scores, calls_learned)
     select t, jsonb_build_object('opening', 40 + 50 * f, 'discovery', 35 + 50 * f, 'objection_handling', 30 + 55 * f,
                                  'closing', 25 + 60 * f, 'overall', 32 + 55 * f), (f * $3)::int
     from generate_series($1::timestamptz, $2::timestamptz, interval '1 minute') t,
     lateral (select extract(epoch from t - $1::timestamptz) / greatest(1, extract(epoch from $2::timestamptz - $1::timestamptz)) as f) x
     on conflict do nothing`,
    [t0, new Date().toISOString(), calls],
  );
  await timed('rollups', 'select rollup_levels_rebuild()');
  for (const t of ROLLUP_SOURCE_TABLES) await c.query(`alter table ${t} enable trigger user`);
  await timed(
    'indexes',
    `create index calls_started_at_idx on calls (started_at desc);
     create index calls_call_control_id_idx on calls (call_control_id);
     create index calls_queued_idx on calls (started_at, id) where status = 'queued';
     create index calls_ended_idx on calls (ended_at) where status = 'ended'`,
  );
  await c.query('commit');
  await timed('analyze', 'vacuum analyze');
  const counts: Record<string, number> = {};
  for (const t of ['calls', 'call_rollups', 'call_rollups_hourly', 'call_rollups_daily', 'beast_mode_snapshots']) {
    const { rows } = await c.query<{ n: string }>(`select count(*) as n from ${t}`);
    counts[t] = Number(rows[0]?.n ?? 0);
  }
  log(`dataset: rows ${JSON.stringify(counts)}; ms ${JSON.stringify(timings)}`);
  return { ...Object.fromEntries(Object.entries(timings).map(([k, v]) => [`${k}Ms`, v])), ...counts };
}
