import { rename, writeFile } from 'node:fs/promises';
import type { SqlQueryable } from '../stores/sql/executor';

/**
 * Where a finished backup leaves its mark for `voice_backup_last_success_timestamp_seconds`:
 * a row in the Postgres-role database (read by the API at scrape time, so the "backup too old"
 * alert works wherever the backup job ran) and/or a Prometheus textfile.
 */
export const BACKUP_RUNS_TABLE = 'backup_runs';
export const BACKUP_RUNS_DDL = `create table if not exists ${BACKUP_RUNS_TABLE} (
  id text primary key,
  finished_at timestamptz not null,
  location text not null,
  bytes bigint not null,
  seconds double precision not null,
  software_version text not null
)`;

export interface BackupRun {
  id: string;
  finishedAt: string;
  location: string;
  bytes: number;
  seconds: number;
  softwareVersion: string;
}

export async function recordBackupRun(db: SqlQueryable, run: BackupRun): Promise<void> {
  await db.exec(BACKUP_RUNS_DDL);
  await db.query(
    `insert into ${BACKUP_RUNS_TABLE} (id, finished_at, location, bytes, seconds, software_version)
     values ($1, $2, $3, $4, $5, $6) on conflict (id) do nothing`,
    [run.id, run.finishedAt, run.location, run.bytes, run.seconds, run.softwareVersion],
  );
}

/** Unix seconds of the newest successful backup, or null when none was recorded. */
export async function lastBackupSuccess(db: SqlQueryable): Promise<number | null> {
  const { rows } = await db
    .query<{ t: string | number | null }>(
      `select extract(epoch from max(finished_at))::float8 as t from ${BACKUP_RUNS_TABLE}`,
    )
    .catch((err: unknown) => {
      // No backup ever ran against this database: the table does not exist yet.
      if (/does not exist/.test((err as Error).message)) return { rows: [] as { t: null }[] };
      throw err;
    });
  const t = rows[0]?.t;
  return t === null || t === undefined ? null : Number(t);
}

/** Prometheus textfile (node_exporter's textfile collector), replaced atomically. */
export async function writeMetricsTextfile(path: string, run: BackupRun): Promise<void> {
  const lines = [
    '# HELP voice_backup_last_success_timestamp_seconds Unix time the last successful backup finished',
    '# TYPE voice_backup_last_success_timestamp_seconds gauge',
    `voice_backup_last_success_timestamp_seconds ${Math.floor(Date.parse(run.finishedAt) / 1000)}`,
    '# HELP voice_backup_last_size_bytes Size of the last successful backup',
    '# TYPE voice_backup_last_size_bytes gauge',
    `voice_backup_last_size_bytes ${run.bytes}`,
    '# HELP voice_backup_last_duration_seconds Duration of the last successful backup',
    '# TYPE voice_backup_last_duration_seconds gauge',
    `voice_backup_last_duration_seconds ${run.seconds}`,
    '',
  ];
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, lines.join('\n'));
  await rename(tmp, path);
}
