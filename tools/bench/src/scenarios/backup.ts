import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { backup, CALL_STORE_MIGRATIONS, EmbeddedDatabase, migrate, type SqlQueryable } from '@mwva/voice-core';

type BackupTargets = backup.BackupTargets;
type PostgresMethod = backup.PostgresMethod;
type ProgressSink = backup.ProgressSink;
const { restoreBackup, runBackup, verifyBackup } = backup;

export interface BenchBackupOptions {
  calls: number;
  /** An empty Postgres database to fill (default: embedded PGlite in the work folder). */
  postgresUrl?: string;
  /** An empty Postgres database to restore into (with postgresUrl). */
  restoreUrl?: string;
  postgresMethod?: PostgresMethod;
  dir?: string;
  progress?: ProgressSink;
  log?: (line: string) => void;
}

export interface BenchBackupResult {
  store: 'embedded' | 'postgres';
  method: string;
  calls: number;
  rows: number;
  generate_s: number;
  backup_s: number;
  backup_bytes: number;
  verify_s: number;
  restore_s: number;
  peak_rss_mb: number;
}

const CHUNK = 100_000;

/**
 * Fills the Postgres-role tables with `calls` ended calls — each with one event, its rollup
 * marker and per-minute rollups — by SQL generate_series (not the API), in chunks.
 */
async function generate(db: SqlQueryable, calls: number, log: (l: string) => void): Promise<number> {
  for (let from = 1; from <= calls; from += CHUNK) {
    const to = Math.min(calls, from + CHUNK - 1);
    await db.query(
      `insert into calls (id, direction, status, from_number, to_number, persona, campaign, call_control_id, call_session_id,
         started_at, answered_at, ended_at, outcome, hangup_cause, hangup_source, cost_usd, updated_at)
       select 'bench-' || g, case when g % 3 = 0 then 'inbound' else 'outbound' end, 'ended',
         '+1555' || lpad((g % 10000000)::text, 7, '0'), '+15550009999', case when g % 2 = 0 then 'cfo' end, 'q4',
         'v3:bench-' || g, 'sess-' || g, t, case when g % 4 <> 3 then t + interval '3 s' end, t + interval '45 s',
         (array['converted','not_converted','voicemail','no_answer'])[1 + g % 4],
         case when g % 4 = 3 then 'timeout' else 'normal_clearing' end, 'callee', 0.0001 * (g % 997), t + interval '45 s'
       from (select g, timestamptz '2024-01-01' + g * interval '2 s' as t from generate_series($1::int, $2::int) g) s`,
      [from, to],
    );
    await db.query(
      `insert into call_events (id, call_id, type, occurred_at, payload, received_at, applied_at)
       select 'bench-ev-' || g, 'bench-' || g, 'call.hangup', t, jsonb_build_object('hangup_cause', 'normal_clearing', 'seq', g), t, t
       from (select g, timestamptz '2024-01-01' + g * interval '2 s' + interval '45 s' as t from generate_series($1::int, $2::int) g) s`,
      [from, to],
    );
    await db.query(
      `insert into call_rollup_applied (call_id) select 'bench-' || g from generate_series($1::int, $2::int) g`,
      [from, to],
    );
    log(`generated ${to}/${calls} calls`);
  }
  await db.query(
    `insert into call_rollups (bucket, direction, outcome, calls, answered, converted, handle_seconds, cost_usd)
     select date_trunc('minute', started_at), direction, outcome, count(*), count(answered_at),
       count(*) filter (where outcome = 'converted'), sum(extract(epoch from ended_at - started_at)), sum(cost_usd)
     from calls group by 1, 2, 3`,
  );
  const { rows } = await db.query<{ n: string }>(
    `select (select count(*) from calls) + (select count(*) from call_events) + (select count(*) from call_rollups)
       + (select count(*) from call_rollup_applied) as n`,
  );
  return Number(rows[0]?.n ?? 0);
}

function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024);
    },
  };
}

const seconds = (since: number): number => Math.round((performance.now() - since) / 100) / 10;

/** Generate → backup → verify → restore into an empty target (itself verified by content). */
export async function benchBackup(options: BenchBackupOptions): Promise<BenchBackupResult> {
  const log = options.log ?? (() => undefined);
  const work = options.dir ?? (await mkdtemp(join(tmpdir(), 'mwva-bench-backup-')));
  const store = options.postgresUrl ? 'postgres' : 'embedded';
  try {
    let t = performance.now();
    let rows: number;
    if (options.postgresUrl) {
      if (!options.restoreUrl) throw new Error('--restore-url (an empty database) is needed with --postgres-url');
      const client = new Client({ connectionString: options.postgresUrl });
      await client.connect();
      try {
        const db = {
          query: async <R>(sql: string, params?: unknown[]) => ({
            rows: (await client.query(sql, params)).rows as R[],
          }),
          exec: async (sql: string) => void (await client.query(sql)),
          transaction: async <T>(fn: (tx: SqlQueryable) => Promise<T>) => fn(db),
        };
        await migrate(db, 'calls', CALL_STORE_MIGRATIONS);
        rows = await generate(db, options.calls, log);
      } finally {
        await client.end();
      }
    } else {
      const db = await EmbeddedDatabase.open(join(work, 'source'));
      try {
        rows = await generate(db, options.calls, log);
      } finally {
        await db.shutdown();
      }
    }
    const generateS = seconds(t);
    const source: BackupTargets = options.postgresUrl
      ? { postgres: { url: options.postgresUrl, method: options.postgresMethod ?? 'auto' } }
      : { embedded: { dataDir: join(work, 'source') } };
    const rss = rssSampler();
    t = performance.now();
    const result = await runBackup({
      outRoot: join(work, 'backups'),
      targets: source,
      roles: { calls: store },
      software: { name: 'bench', version: '0' },
      playbookVersion: null,
      progress: options.progress,
    });
    const backupS = seconds(t);
    t = performance.now();
    await verifyBackup(result.dir, options.progress);
    const verifyS = seconds(t);
    const target: BackupTargets = options.restoreUrl
      ? { postgres: { url: options.restoreUrl, method: options.postgresMethod ?? 'auto' } }
      : { embedded: { dataDir: join(work, 'restored') } };
    t = performance.now();
    await restoreBackup({ from: result.dir, targets: target, progress: options.progress });
    const restoreS = seconds(t);
    return {
      store,
      method: result.manifest.sections[0]!.method,
      calls: options.calls,
      rows,
      generate_s: generateS,
      backup_s: backupS,
      backup_bytes: result.bytes,
      verify_s: verifyS,
      restore_s: restoreS,
      peak_rss_mb: rss.stop(),
    };
  } finally {
    if (!options.dir) await rm(work, { recursive: true, force: true });
  }
}
