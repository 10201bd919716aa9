import type { SqlExecutor } from './executor';
import { ROLLUP_LEVELS_MIGRATION } from './rollup-levels';

/**
 * Schema of the Postgres-role tables, shared by PGlite and real Postgres.
 * Append new migrations; never edit an applied one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const CALL_STORE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'calls, events, rollups, beast mode snapshots',
    sql: `
      create table calls (
        id text primary key,
        direction text not null,
        status text not null,
        from_number text not null,
        to_number text not null,
        persona text,
        campaign text,
        call_control_id text,
        call_session_id text,
        started_at timestamptz not null,
        answered_at timestamptz,
        ended_at timestamptz,
        outcome text,
        hangup_cause text,
        hangup_source text,
        cost_usd double precision,
        updated_at timestamptz not null
      );
      create index calls_started_at_idx on calls (started_at desc);
      create index calls_call_control_id_idx on calls (call_control_id);

      create table call_events (
        arrival bigserial,
        id text primary key,
        call_id text not null,
        type text not null,
        occurred_at timestamptz not null,
        payload jsonb not null
      );
      create index call_events_call_idx on call_events (call_id, occurred_at, arrival);

      create table call_rollups (
        bucket timestamptz not null,
        direction text not null,
        outcome text not null,
        calls integer not null,
        answered integer not null,
        converted integer not null,
        handle_seconds double precision not null,
        cost_usd double precision not null,
        primary key (bucket, direction, outcome)
      );
      create table call_rollup_applied (call_id text primary key);

      create table beast_mode_snapshots (
        taken_at timestamptz primary key,
        scores jsonb not null,
        calls_learned integer not null
      );
    `,
  },
];

CALL_STORE_MIGRATIONS.push({
  version: 2,
  name: 'event inbox (received/applied), dial queue and finalization lookups',
  sql: `
    alter table call_events add column received_at timestamptz not null default now();
    alter table call_events add column applied_at timestamptz;
    create index call_events_unapplied_idx on call_events (received_at) where applied_at is null;
    create index calls_queued_idx on calls (started_at, id) where status = 'queued';
    create index calls_ended_idx on calls (ended_at) where status = 'ended';
  `,
});

CALL_STORE_MIGRATIONS.push({
  version: 3,
  name: 'rollups for dashboards: hang-up causes and turn-latency histograms per minute',
  sql: `
    create table hangup_rollups (
      bucket timestamptz not null,
      cause text not null,
      calls integer not null,
      primary key (bucket, cause)
    );
    create table turn_latency_rollups (
      bucket timestamptz not null,
      le_index smallint not null,
      turns integer not null,
      primary key (bucket, le_index)
    );
  `,
});

CALL_STORE_MIGRATIONS.push(ROLLUP_LEVELS_MIGRATION);

CALL_STORE_MIGRATIONS.push({
  version: 5,
  name: 'inbox attempts and dead letters; routing by Telnyx session id',
  sql: `
    alter table call_events add column attempts integer not null default 0;
    alter table call_events add column last_error text;
    create index call_events_unapplied_arrival_idx on call_events (arrival) where applied_at is null;
    create table event_dead_letters (
      event_id text primary key references call_events (id),
      dead_at timestamptz not null default now(),
      reason text not null
    );
    create index event_dead_letters_dead_at_idx on event_dead_letters (dead_at desc);
    create index calls_call_session_id_idx on calls (call_session_id);
  `,
});

export const DOCUMENT_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'transcript turns and raw webhooks as JSONB documents',
    sql: `
      create table transcript_turns (
        call_id text not null,
        seq integer not null,
        doc jsonb not null,
        primary key (call_id, seq)
      );
      create table raw_webhooks (
        event_id text primary key,
        received_at timestamptz not null,
        expires_at timestamptz not null,
        payload jsonb not null
      );
      create index raw_webhooks_expires_idx on raw_webhooks (expires_at);
    `,
  },
];

DOCUMENT_MIGRATIONS.push({
  version: 2,
  name: 'unrecognised utterances for review',
  sql: `
    create table unrecognised_utterances (
      call_id text not null,
      seq integer not null,
      at timestamptz not null,
      doc jsonb not null,
      primary key (call_id, seq)
    );
    create index unrecognised_utterances_at_idx on unrecognised_utterances (at desc);
  `,
});

export const GRAPH_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'learning graph as tables',
    sql: `
      create table graph_objections (id text primary key, label text not null);
      create table graph_responses (id text primary key, text text not null, skill text not null);
      create table graph_arms (
        objection_id text not null references graph_objections (id),
        response_id text not null references graph_responses (id),
        wins integer not null default 0,
        trials integer not null default 0,
        primary key (objection_id, response_id)
      );
      create table graph_credits (credit_id text primary key);
    `,
  },
];

/** The Redis role on the embedded database (live call state that survives a crash). */
export const STATE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'live call state, claims and the active set',
    sql: `
      create table live_calls (
        call_id text primary key,
        state jsonb not null,
        version integer not null,
        expires_at timestamptz not null
      );
      create table live_claims (key text primary key, expires_at timestamptz not null);
      create table live_active (call_id text primary key);
    `,
  },
];

export const VECTOR_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'pgvector items by collection',
    sql: `
      create extension if not exists vector;
      create table vector_items (
        collection text not null,
        id text not null,
        embedding vector not null,
        document text not null,
        metadata jsonb not null,
        primary key (collection, id)
      );
    `,
  },
];

/**
 * Applies the migrations of one schema (`scope`) that are not yet recorded, each in its own
 * transaction under an advisory lock, so running it again (every start, or several replicas
 * starting at once) is a no-op.
 */
export async function migrate(db: SqlExecutor, scope: string, migrations: Migration[]): Promise<number> {
  await db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(hashtext('schema_migrations'))");
    await tx.exec(`create table if not exists schema_migrations (
      scope text not null, version integer not null, name text not null,
      applied_at timestamptz not null default now(), primary key (scope, version))`);
  });
  let count = 0;
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const applied = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [scope]);
      const { rows } = await tx.query('select 1 from schema_migrations where scope = $1 and version = $2', [
        scope,
        migration.version,
      ]);
      if (rows.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (scope, version, name) values ($1, $2, $3)', [
        scope,
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (applied) count += 1;
  }
  return count;
}
