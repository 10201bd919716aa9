import type { Migration } from './migrations';

/**
 * Coarser rollups for long dashboard ranges. The per-minute tables stay the source of truth;
 * hourly and daily copies are derived from them by triggers, so every writer (the call store,
 * the turn-latency batcher, bulk loads, restores) keeps them right without knowing about them.
 * A year is ~8 800 hourly or 365 daily rows instead of ~525 000 minute rows.
 *
 * Hours and days are UTC (date_trunc's three-argument form: the session time zone must not
 * move a row into another bucket).
 */
const ROLLUP_LEVELS = ['hourly', 'daily'] as const;

/** Minute tables and the key columns / summed columns their coarser copies carry. */
const FAMILIES = {
  call_rollups: {
    bucket: 'bucket',
    keys: ['direction', 'outcome'],
    sums: ['calls', 'answered', 'converted', 'handle_seconds', 'cost_usd'],
  },
  hangup_rollups: { bucket: 'bucket', keys: ['cause'], sums: ['calls'] },
  turn_latency_rollups: { bucket: 'bucket', keys: ['le_index'], sums: ['turns'] },
} as const;

/** Beast Mode snapshots (JSONB scores) become (bucket, skill) sums; their average is sum / samples. */
export const BEAST_MODE_SCORE_TABLES = {
  hourly: 'beast_mode_scores_hourly',
  daily: 'beast_mode_scores_daily',
} as const;

/**
 * Tables computed from others. Backups skip them (a restore rebuilds them through the triggers
 * of the tables it loads); a TRUNCATE of a source table empties its derived ones.
 */
export const DERIVED_TABLES: readonly string[] = [
  ...Object.keys(FAMILIES).flatMap((t) => ROLLUP_LEVELS.map((l) => `${t}_${l}`)),
  ...Object.values(BEAST_MODE_SCORE_TABLES),
];

const UNIT = { hourly: 'hour', daily: 'day' } as const;

function familySql(table: string, f: { bucket: string; keys: readonly string[]; sums: readonly string[] }): string {
  const cols = [f.bucket, ...f.keys, ...f.sums];
  const conflict = [f.bucket, ...f.keys].join(', ');
  // One upsert per level, adding `sign` times the row (sign -1 removes an old row).
  const bump = (row: 'new' | 'old', sign: 1 | -1) =>
    ROLLUP_LEVELS.map(
      (level) => `
      insert into ${table}_${level} as r (${cols.join(', ')})
      values (date_trunc('${UNIT[level]}', ${row}.${f.bucket}, 'UTC'), ${f.keys.map((k) => `${row}.${k}`).join(', ')},
              ${f.sums.map((s) => `${sign === 1 ? '' : '-'}${row}.${s}`).join(', ')})
      on conflict (${conflict}) do update set ${f.sums.map((s) => `${s} = r.${s} + excluded.${s}`).join(', ')};`,
    ).join('');
  const sameKey = [f.bucket, ...f.keys].map((k) => `new.${k} = old.${k}`).join(' and ');
  const delta = ROLLUP_LEVELS.map(
    (level) => `
      update ${table}_${level} set ${f.sums.map((s) => `${s} = ${s} + (new.${s} - old.${s})`).join(', ')}
      where ${f.bucket} = date_trunc('${UNIT[level]}', new.${f.bucket}, 'UTC')
        and ${f.keys.map((k) => `${k} = new.${k}`).join(' and ')};`,
  ).join('');
  const tables = ROLLUP_LEVELS.map((level) => `${table}_${level}`);
  return `
    ${tables.map((t) => `create table ${t} (like ${table} including defaults including constraints, primary key (${conflict}));`).join('\n')}

    create function ${table}_to_levels() returns trigger language plpgsql as $fn$
    begin
      if tg_op = 'UPDATE' and ${sameKey} then ${delta}
      else
        if tg_op in ('UPDATE', 'DELETE') then ${bump('old', -1)}
        end if;
        if tg_op in ('UPDATE', 'INSERT') then ${bump('new', 1)}
        end if;
      end if;
      return null;
    end $fn$;
    create trigger ${table}_to_levels after insert or update or delete on ${table}
      for each row execute function ${table}_to_levels();

    create function ${table}_truncate_levels() returns trigger language plpgsql as $fn$
    begin
      truncate ${tables.join(', ')};
      return null;
    end $fn$;
    create trigger ${table}_truncate_levels after truncate on ${table}
      for each statement execute function ${table}_truncate_levels();
  `;
}

function rebuildFamilySql(table: string, f: { bucket: string; keys: readonly string[]; sums: readonly string[] }) {
  const cols = [f.bucket, ...f.keys, ...f.sums].join(', ');
  const select = (level: 'hourly' | 'daily', from: string) => `
      insert into ${table}_${level} (${cols})
      select date_trunc('${UNIT[level]}', ${f.bucket}, 'UTC'), ${f.keys.join(', ')}, ${f.sums.map((s) => `sum(${s})`).join(', ')}
      from ${from} group by 1, ${f.keys.map((_, i) => i + 2).join(', ')};`;
  return `truncate ${table}_hourly, ${table}_daily;${select('hourly', table)}${select('daily', `${table}_hourly`)}`;
}

const BEAST = BEAST_MODE_SCORE_TABLES;

const beastSql = `
  ${Object.values(BEAST)
    .map(
      (t) => `create table ${t} (
        bucket timestamptz not null,
        skill text not null,
        score_sum double precision not null,
        samples integer not null,
        primary key (bucket, skill)
      );`,
    )
    .join('\n')}

  -- Adds (sign = 1) or removes (sign = -1) one snapshot's scores at both levels.
  create function beast_mode_scores_bump(taken_at timestamptz, scores jsonb, sign integer) returns void
  language plpgsql as $fn$
  begin
    ${ROLLUP_LEVELS.map(
      (level) => `
    insert into ${BEAST[level]} as r (bucket, skill, score_sum, samples)
    select date_trunc('${UNIT[level]}', taken_at, 'UTC'), s.key, sign * s.value::float8, sign
    from jsonb_each_text(scores) s
    on conflict (bucket, skill) do update set score_sum = r.score_sum + excluded.score_sum, samples = r.samples + excluded.samples;`,
    ).join('')}
  end $fn$;

  create function beast_mode_snapshots_to_levels() returns trigger language plpgsql as $fn$
  begin
    if tg_op in ('UPDATE', 'DELETE') then perform beast_mode_scores_bump(old.taken_at, old.scores, -1); end if;
    if tg_op in ('UPDATE', 'INSERT') then perform beast_mode_scores_bump(new.taken_at, new.scores, 1); end if;
    return null;
  end $fn$;
  create trigger beast_mode_snapshots_to_levels after insert or update or delete on beast_mode_snapshots
    for each row execute function beast_mode_snapshots_to_levels();

  create function beast_mode_snapshots_truncate_levels() returns trigger language plpgsql as $fn$
  begin
    truncate ${Object.values(BEAST).join(', ')};
    return null;
  end $fn$;
  create trigger beast_mode_snapshots_truncate_levels after truncate on beast_mode_snapshots
    for each statement execute function beast_mode_snapshots_truncate_levels();
`;

const rebuildBeastSql = `
  truncate ${Object.values(BEAST).join(', ')};
  insert into ${BEAST.hourly} (bucket, skill, score_sum, samples)
  select date_trunc('hour', taken_at, 'UTC'), s.key, sum(s.value::float8), count(*)
  from beast_mode_snapshots, jsonb_each_text(scores) s group by 1, 2;
  insert into ${BEAST.daily} (bucket, skill, score_sum, samples)
  select date_trunc('day', bucket, 'UTC'), skill, sum(score_sum), sum(samples) from ${BEAST.hourly} group by 1, 2;
`;

/**
 * `select rollup_levels_rebuild()` recomputes every derived table from its source: after a bulk
 * load made with the triggers disabled (the query benchmark's dataset), and by the migration.
 */
const rebuildFunctionSql = `
  create function rollup_levels_rebuild() returns void language plpgsql as $fn$
  begin
    ${Object.entries(FAMILIES)
      .map(([t, f]) => rebuildFamilySql(t, f))
      .join('\n')}
    ${rebuildBeastSql}
  end $fn$;
`;

export const ROLLUP_LEVELS_MIGRATION: Migration = {
  version: 4,
  name: 'hourly and daily rollups (and Beast Mode scores) maintained by triggers, for long ranges',
  sql: `
    ${Object.entries(FAMILIES)
      .map(([t, f]) => familySql(t, f))
      .join('\n')}
    ${beastSql}
    ${rebuildFunctionSql}
    select rollup_levels_rebuild();
  `,
};

/** Every trigger that maintains a derived table: a bulk load may switch them off, then rebuild. */
export const ROLLUP_SOURCE_TABLES = [...Object.keys(FAMILIES), 'beast_mode_snapshots'] as const;
