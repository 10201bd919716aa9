import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlExecutor, SqlQueryable } from '../stores/sql/executor';
import { DERIVED_TABLES } from '../stores/sql/rollup-levels';
import { hashFile, JsonlArchiveWriter, readJsonlArchive, type FileEntry } from './archive';
import { ContentDigest, finishDatasetCheck } from './digest';
import type { BackupStoreName, DatasetEntry, ManifestSection } from './manifest';
import { BACKUP_RUNS_DDL, BACKUP_RUNS_TABLE, recordBackupRun, type BackupRun } from './status';
import type { BackupContext, DatasetDigest, ProgressSink, RestoreContext, StoreBackup } from './types';

/** Tables that describe the database rather than hold data. */
const SCHEMA_TABLE = 'schema_migrations';
/** Not data either: their rows do not make a store "in use". */
const BOOKKEEPING = new Set([SCHEMA_TABLE, BACKUP_RUNS_TABLE]);
/**
 * The embedded database's stand-in for Redis (EmbeddedCallStateStore): live call state, claims
 * and the active set. Transient like Redis, so not backed up either: a restore must not bring
 * back calls "in progress" hours later, nor claims that block their idempotency keys.
 */
export const TRANSIENT_TABLES: readonly string[] = ['live_calls', 'live_claims', 'live_active'];
const FETCH_ROWS = 2000;
const INSERT_ROWS = 1000;

export interface SqlTable {
  name: string;
  columns: string[];
}

export interface Migration {
  scope: string;
  version: number;
  name: string;
}

/** The native path for Postgres: a `pg_dump -Fc` of the same snapshot (see postgres.ts). */
export interface SnapshotDumper {
  /** Dumps the database as of `snapshotId` into `absPath`. */
  dump(snapshotId: string, absPath: string): Promise<void>;
  /** Loads a dump into the (empty or --force) database. */
  restore(absPath: string): Promise<void>;
  /** Reads the whole dump (detects truncation the checksum would also catch). */
  check(absPath: string): Promise<void>;
}

/** A section without the transient tables a backup of older software may hold (not restored). */
export function withoutTransientTables(section: ManifestSection): ManifestSection {
  if (section.store !== 'postgres' && section.store !== 'embedded') return section;
  return { ...section, datasets: section.datasets.filter((d) => !TRANSIENT_TABLES.includes(d.name)) };
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Data tables of the current schema, parents before children (foreign keys), with their columns.
 * Derived tables (hourly/daily rollups) are not data: a restore rebuilds them by the triggers
 * of the tables it loads, and a TRUNCATE of those empties them. Transient tables are not data.
 */
export async function listTables(q: SqlQueryable): Promise<SqlTable[]> {
  const { rows } = await q.query<{ table_name: string; columns: string[] }>(
    `select c.table_name, array_agg(c.column_name::text order by c.ordinal_position) as columns
     from information_schema.columns c
     join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.table_name <> $1
       and not c.table_name = any($2::text[])
     group by c.table_name order by c.table_name`,
    [SCHEMA_TABLE, [...DERIVED_TABLES, ...TRANSIENT_TABLES]],
  );
  const { rows: fks } = await q.query<{ child: string; parent: string }>(
    `select cl.relname as child, pl.relname as parent from pg_constraint k
     join pg_class cl on cl.oid = k.conrelid join pg_class pl on pl.oid = k.confrelid
     where k.contype = 'f' and k.connamespace = current_schema()::regnamespace`,
  );
  const tables = rows.map((r) => ({ name: r.table_name, columns: parseArray(r.columns) }));
  return topoSort(tables, fks);
}

/** node-postgres returns name[] as a string on some servers; PGlite as an array. */
function parseArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  const text = String(value);
  return text
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean)
    .map((s) => s.replace(/^"|"$/g, ''));
}

function topoSort(tables: SqlTable[], fks: { child: string; parent: string }[]): SqlTable[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const out: SqlTable[] = [];
  const seen = new Set<string>();
  const visit = (name: string, path: Set<string>): void => {
    if (seen.has(name) || path.has(name)) return;
    path.add(name);
    for (const fk of fks) if (fk.child === name && fk.parent !== name) visit(fk.parent, path);
    seen.add(name);
    const table = byName.get(name);
    if (table) out.push(table);
  };
  for (const t of tables) visit(t.name, new Set());
  return out;
}

/** Streams a table's rows as Postgres' own JSON text (`row_to_json`) through a cursor. */
async function forEachRow(
  q: SqlQueryable,
  table: string,
  onRow: (json: string) => Promise<void> | void,
): Promise<void> {
  const cursor = quoteIdent(`mwva_backup_${table}`);
  await q.query(`declare ${cursor} no scroll cursor for select row_to_json(t)::text as j from ${quoteIdent(table)} t`);
  for (;;) {
    const { rows } = await q.query<{ j: string }>(`fetch ${FETCH_ROWS} from ${cursor}`);
    for (const row of rows) await onRow(row.j);
    if (rows.length < FETCH_ROWS) break;
  }
  await q.query(`close ${cursor}`);
}

async function countRows(q: SqlQueryable, table: string): Promise<number> {
  const { rows } = await q.query<{ n: string | number }>(`select count(*) as n from ${quoteIdent(table)}`);
  return Number(rows[0]?.n ?? 0);
}

/** Starts a read-only snapshot transaction whose timestamps render in UTC (stable JSON text). */
async function beginSnapshot(tx: SqlQueryable): Promise<void> {
  await tx.query('set transaction isolation level repeatable read, read only');
  await tx.query("set local time zone 'UTC'");
}

/**
 * Backup of a SQL database (Postgres, or the embedded PGlite holding every role's tables):
 * every table read in ONE repeatable-read transaction, i.e. one consistent snapshot.
 */
export class SqlStoreBackup implements StoreBackup {
  constructor(
    readonly name: Extract<BackupStoreName, 'postgres' | 'embedded'>,
    private readonly db: SqlExecutor,
    private readonly options: {
      /** Creates the schema of this software version (migrations). */
      migrate: () => Promise<void>;
      close: () => Promise<void>;
      /** pg_dump/pg_restore when available (restores pg_dump backups, checks dump files). */
      dumper?: SnapshotDumper | null;
      /** Back up with pg_dump of the snapshot; the JSONL pass then only digests. */
      dumpOnBackup?: boolean;
    },
  ) {}

  async backup(ctx: BackupContext): Promise<ManifestSection> {
    const startedAt = new Date().toISOString();
    const dumper = this.options.dumpOnBackup ? (this.options.dumper ?? null) : null;
    return this.db.transaction(async (tx) => {
      await beginSnapshot(tx);
      const migrations = await readMigrations(tx);
      const tables = await listTables(tx);
      const files: FileEntry[] = [];
      let dumping: Promise<void> | null = null;
      if (dumper) {
        const { rows } = await tx.query<{ id: string }>('select pg_export_snapshot() as id');
        const rel = `${this.name}/database.dump`;
        await mkdir(join(ctx.dir, this.name), { recursive: true, mode: 0o700 });
        // pg_dump reads the very snapshot this transaction holds, while we digest it here.
        dumping = dumper.dump(rows[0]!.id, join(ctx.dir, rel));
        dumping.catch(() => undefined);
      }
      const datasets: DatasetEntry[] = [];
      for (const table of tables) {
        const total = await countRows(tx, table.name);
        const digest = new ContentDigest();
        const rel = `${this.name}/${table.name}.jsonl.gz`;
        const writer = dumper ? null : await JsonlArchiveWriter.create(join(ctx.dir, rel), rel);
        await forEachRow(tx, table.name, async (json) => {
          digest.add(json);
          if (writer) await writer.write(json);
          if (digest.count % FETCH_ROWS === 0)
            ctx.progress({ phase: 'backup', store: this.name, dataset: table.name, done: digest.count, total });
        });
        if (writer) files.push(await writer.close());
        ctx.progress({
          phase: 'backup',
          store: this.name,
          dataset: table.name,
          done: digest.count,
          total,
          finished: true,
        });
        datasets.push({
          name: table.name,
          records: digest.count,
          digest: digest.hex(),
          file: writer ? rel : undefined,
          meta: { columns: table.columns },
        });
      }
      if (dumping) {
        await dumping;
        files.push(await describeFile(ctx.dir, `${this.name}/database.dump`));
      }
      return {
        store: this.name,
        method: dumper ? 'pg_dump' : 'logical',
        startedAt,
        finishedAt: new Date().toISOString(),
        datasets,
        files,
        schema: { migrations },
      } satisfies ManifestSection;
    });
  }

  async nonEmptyDatasets(): Promise<string[]> {
    const tables = await listTables(this.db);
    const out: string[] = [];
    for (const t of tables) {
      if (BOOKKEEPING.has(t.name)) continue;
      const { rows } = await this.db.query(`select 1 from ${quoteIdent(t.name)} limit 1`);
      if (rows.length > 0) out.push(t.name);
    }
    return out;
  }

  async restore(section: ManifestSection, ctx: RestoreContext): Promise<void> {
    if (section.method === 'pg_dump') {
      if (!this.options.dumper)
        throw new Error(`${this.name}: this backup is a pg_dump; pg_restore is needed (not on PATH)`);
      const file = section.files.find((f) => f.path.endsWith('.dump'));
      if (!file) throw new Error(`${this.name}: the manifest lists no dump file`);
      ctx.progress({ phase: 'restore', store: this.name, dataset: 'pg_restore', done: 0, total: 1 });
      await this.options.dumper.restore(join(ctx.dir, file.path));
      ctx.progress({ phase: 'restore', store: this.name, dataset: 'pg_restore', done: 1, total: 1, finished: true });
      return;
    }
    await this.options.migrate();
    await this.db.exec(BACKUP_RUNS_DDL);
    await this.checkSchemaCompatible(section);
    const targetTables = new Map((await listTables(this.db)).map((t) => [t.name, t]));
    const order = [...targetTables.keys()];
    const datasets = [...section.datasets].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    await this.db.transaction(async (tx) => {
      await tx.query("set local time zone 'UTC'");
      // The backup's own run history replaces this database's (it is not data, so it was not
      // part of the emptiness check).
      const wiped = order.filter((n) => n !== SCHEMA_TABLE && (ctx.wipe || n === BACKUP_RUNS_TABLE));
      if (wiped.length > 0) await tx.query(`truncate ${wiped.map(quoteIdent).join(', ')} restart identity cascade`);
      for (const ds of datasets) {
        const target = targetTables.get(ds.name);
        if (!target) throw new Error(`${this.name}: table ${ds.name} of the backup does not exist here`);
        const columns = (ds.meta?.columns as string[] | undefined) ?? target.columns;
        const missing = columns.filter((c) => !target.columns.includes(c));
        if (missing.length > 0) throw new Error(`${this.name}: ${ds.name} has no column(s) ${missing.join(', ')} here`);
        await loadTable(tx, ds, columns, join(ctx.dir, ds.file!), (done, finished) =>
          ctx.progress({ phase: 'restore', store: this.name, dataset: ds.name, done, total: ds.records, finished }),
        );
        await resetSerials(tx, ds.name, columns);
      }
    });
  }

  /** Every migration the backup had must exist here: a backup from newer software is refused. */
  private async checkSchemaCompatible(section: ManifestSection): Promise<void> {
    const theirs = (section.schema.migrations as Migration[] | undefined) ?? [];
    const ours = new Set((await readMigrations(this.db)).map((m) => `${m.scope}/${m.version}`));
    const unknown = theirs.filter((m) => !ours.has(`${m.scope}/${m.version}`));
    if (unknown.length > 0) {
      throw new Error(
        `${this.name}: the backup was taken with schema migrations this software does not have ` +
          `(${unknown.map((m) => `${m.scope} v${m.version}`).join(', ')}); restore with the newer software`,
      );
    }
  }

  async digests(section: ManifestSection, progress: ProgressSink): Promise<DatasetDigest[]> {
    return this.db.transaction(async (tx) => {
      await beginSnapshot(tx);
      const existing = new Set((await listTables(tx)).map((t) => t.name));
      const out: DatasetDigest[] = [];
      for (const ds of section.datasets) {
        const digest = new ContentDigest();
        if (existing.has(ds.name)) {
          await forEachRow(tx, ds.name, (json) => {
            digest.add(json);
            if (digest.count % FETCH_ROWS === 0)
              progress({ phase: 'check', store: this.name, dataset: ds.name, done: digest.count, total: ds.records });
          });
        }
        out.push(finishDatasetCheck(progress, this.name, ds, digest));
      }
      return out;
    });
  }

  async verifyOpaqueFiles(section: ManifestSection, dir: string): Promise<void> {
    if (section.method !== 'pg_dump') return;
    if (!this.options.dumper) return;
    for (const f of section.files) await this.options.dumper.check(join(dir, f.path));
  }

  /** The marker row for voice_backup_last_success_timestamp_seconds (after the snapshot, not in it). */
  recordRun(run: BackupRun): Promise<void> {
    return recordBackupRun(this.db, run);
  }

  close(): Promise<void> {
    return this.options.close();
  }
}

/** Applied migrations; none when the database was never migrated. */
async function readMigrations(q: SqlQueryable): Promise<Migration[]> {
  const { rows } = await q.query<{ t: string | null }>('select to_regclass($1)::text as t', [SCHEMA_TABLE]);
  if (!rows[0]?.t) return [];
  const result = await q.query<Migration>(`select scope, version, name from ${SCHEMA_TABLE} order by scope, version`);
  return result.rows;
}

async function describeFile(dir: string, rel: string): Promise<FileEntry> {
  const { sha256, bytes } = await hashFile(join(dir, rel));
  return { path: rel, bytes, sha256 };
}

/** Inserts the archive's rows in batches: Postgres parses each row's JSON into the table's own types. */
async function loadTable(
  tx: SqlQueryable,
  ds: DatasetEntry,
  columns: string[],
  absPath: string,
  progress: (done: number, finished?: boolean) => void,
): Promise<void> {
  const cols = columns.map(quoteIdent).join(', ');
  const sql = `insert into ${quoteIdent(ds.name)} (${cols})
    select ${cols} from json_populate_recordset(null::${quoteIdent(ds.name)}, $1::json)`;
  let batch: string[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await tx.query(sql, [`[${batch.join(',')}]`]);
    done += batch.length;
    batch = [];
    progress(done);
  };
  for await (const line of readJsonlArchive(absPath)) {
    batch.push(line);
    if (batch.length >= INSERT_ROWS) await flush();
  }
  await flush();
  progress(done, true);
}

/** A restored bigserial must continue after the restored ids, not at 1. */
async function resetSerials(tx: SqlQueryable, table: string, columns: string[]): Promise<void> {
  for (const column of columns) {
    const { rows } = await tx.query<{ seq: string | null }>('select pg_get_serial_sequence($1, $2) as seq', [
      quoteIdent(table),
      column,
    ]);
    const seq = rows[0]?.seq;
    if (!seq) continue;
    await tx.query(
      `select setval($1, coalesce((select max(${quoteIdent(column)}) from ${quoteIdent(table)}), 0) + 1, false)`,
      [seq],
    );
  }
}
