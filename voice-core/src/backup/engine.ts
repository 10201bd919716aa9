import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { acquireDataDirLock } from '../stores/embedded/data-dir-lock';
import { makePrivateDir, tightenModes } from '../stores/embedded/private-files';
import type { StoreOptions } from '../stores/open';
import { hashFile, readJsonlArchive } from './archive';
import { ChromaStoreBackup, archiveDigestLine as chromaDigestLine } from './chroma';
import { ContentDigest } from './digest';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupInvalidError,
  entryPath,
  MANIFEST_FILE,
  readManifest,
  type BackupStoreName,
  type Manifest,
  type ManifestSection,
} from './manifest';
import { MongoStoreBackup } from './mongodb';
import { archiveDigester as neo4jDigester, Neo4jStoreBackup, type Neo4jBackupOptions } from './neo4j';
import { openEmbeddedBackup, openPostgresBackup, pgDumper, toolMajorVersion, type PostgresMethod } from './postgres';
import { SqlStoreBackup, withoutTransientTables } from './sql';
import { recordBackupRun, type BackupRun } from './status';
import type { DatasetDigest, ProgressSink, StoreBackup } from './types';

/**
 * The fixed order stores are read in. Postgres (the system of record) first: every store read
 * after it is at least as new, and the idempotent keys (graph credit per call id, rollup
 * applied per call id, transcript turn per (call id, seq)) make the recovery sweep's replay of
 * anything newer harmless. See deploy/backup/README.md, "Consistency".
 */
export const STORE_ORDER: BackupStoreName[] = ['postgres', 'embedded', 'mongodb', 'neo4j', 'chroma'];

export const BACKUP_NAME = /^mwva-backup-(\d{8}T\d{6}Z)(?:-[0-9a-f]{4})?$/;

/** Where each part of a backup is read from / restored to. */
export interface BackupTargets {
  postgres?: { url: string; method: PostgresMethod };
  embedded?: { dataDir: string | null };
  mongodb?: { uri: string; database?: string };
  neo4j?: Neo4jBackupOptions;
  chroma?: { host: string; tenant?: string; database?: string };
}

/** Targets from the same options the API opens its stores with; Redis is live state only. */
export function backupTargetsFromStoreOptions(
  options: StoreOptions,
  postgresMethod: PostgresMethod = 'auto',
): { targets: BackupTargets; roles: Record<string, string> } {
  const roles = {
    calls: options.postgres ? 'postgres' : 'embedded',
    transcripts: options.mongodb ? 'mongodb' : 'embedded',
    graph: options.neo4j ? 'neo4j' : 'embedded',
    vectors: options.chroma ? 'chroma' : 'embedded',
    state: options.redis ? 'redis (live state, not backed up)' : 'in-process (live state, not backed up)',
  };
  const needsEmbedded = [roles.calls, roles.transcripts, roles.graph, roles.vectors].includes('embedded');
  return {
    roles,
    targets: {
      postgres: options.postgres ? { url: options.postgres.url, method: postgresMethod } : undefined,
      embedded: needsEmbedded ? { dataDir: options.dataDir } : undefined,
      mongodb: options.mongodb ? { uri: options.mongodb.uri, database: options.mongodb.database } : undefined,
      neo4j: options.neo4j,
      chroma: options.chroma ? { host: options.chroma.host } : undefined,
    },
  };
}

type Purpose = 'backup' | 'restore';

async function openModule(name: BackupStoreName, targets: BackupTargets, purpose: Purpose): Promise<StoreBackup> {
  switch (name) {
    case 'postgres':
      return openPostgresBackup(targets.postgres!);
    case 'embedded': {
      const { dataDir } = targets.embedded!;
      // Opening a missing data directory would create an empty database and back that up.
      if (purpose === 'backup' && dataDir === null)
        throw new Error('no data directory: the embedded stores are in memory, there is nothing to back up');
      if (purpose === 'backup' && !(await exists(dataDir!)))
        throw new Error(`no database at ${dataDir}: nothing to back up (is DATA_DIR the server's data directory?)`);
      return openEmbeddedBackup(dataDir);
    }
    case 'mongodb':
      return MongoStoreBackup.open(targets.mongodb!);
    case 'neo4j':
      return Neo4jStoreBackup.open(targets.neo4j!);
    case 'chroma':
      return ChromaStoreBackup.open(targets.chroma!);
  }
}

const TARGET_HINT: Record<BackupStoreName, string> = {
  postgres: 'NEON_DATABASE_URL',
  embedded: 'DATA_DIR (with the native store URLs unset)',
  mongodb: 'MONGODB_URI',
  neo4j: 'NEO4J_URI',
  chroma: 'CHROMA_HOST',
};

async function openAll(
  names: BackupStoreName[],
  targets: BackupTargets,
  purpose: Purpose,
): Promise<Map<BackupStoreName, StoreBackup>> {
  const opened = new Map<BackupStoreName, StoreBackup>();
  try {
    for (const name of STORE_ORDER.filter((n) => names.includes(n))) {
      if (!targets[name]) throw new Error(`${name}: no target configured (set ${TARGET_HINT[name]})`);
      try {
        opened.set(name, await openModule(name, targets, purpose));
      } catch (err) {
        throw new Error(`${name}: cannot open: ${(err as Error).message}`, { cause: err });
      }
    }
    return opened;
  } catch (err) {
    await closeAll(opened);
    throw err;
  }
}

async function closeAll(modules: Map<BackupStoreName, StoreBackup>): Promise<void> {
  await Promise.allSettled([...modules.values()].map((m) => m.close()));
}

export interface BackupOptions {
  /** Parent folder; the backup is a new sub-folder `mwva-backup-<UTC time>`. */
  outRoot: string;
  targets: BackupTargets;
  roles: Record<string, string>;
  software: { name: string; version: string };
  playbookVersion: string | null;
  progress?: ProgressSink;
  now?: () => Date;
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
  bytes: number;
  seconds: number;
}

const compactTime = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

/**
 * Takes a backup of every configured store into `<outRoot>/mwva-backup-<time>/`. It is written
 * as `<name>.partial` and renamed only once the manifest is complete, so a crashed or failed
 * run never looks like a backup.
 */
export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const createdAt = now();
  const outRoot = resolve(options.outRoot);
  await mkdir(outRoot, { recursive: true });
  let id = `mwva-backup-${compactTime(createdAt)}`;
  if (await exists(join(outRoot, id))) id = `${id}-${randomBytes(2).toString('hex')}`;
  const partial = join(outRoot, `${id}.partial`);
  // A backup holds every call and transcript: its owner's alone (0700 folders, 0600 files).
  makePrivateDir(partial);
  const progress = options.progress ?? (() => undefined);
  const names = STORE_ORDER.filter((n) => options.targets[n]);
  let modules = new Map<BackupStoreName, StoreBackup>();
  try {
    modules = await openAll(names, options.targets, 'backup');
    const sections: ManifestSection[] = [];
    for (const name of names) sections.push(await modules.get(name)!.backup({ dir: partial, progress }));
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      id,
      createdAt: createdAt.toISOString(),
      finishedAt: now().toISOString(),
      software: { ...options.software, node: process.version },
      roles: options.roles,
      playbookVersion: options.playbookVersion,
      order: names,
      sections,
      notes: [
        'Redis (live call state, idempotency keys, rate limits) is not backed up: it is transient and rebuilt ' +
          'as calls arrive; calls in progress at backup time are restored in their last recorded state.',
      ],
    };
    await writeFile(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    // Files a tool wrote (pg_dump) follow the umask; every file is set private before it counts.
    tightenModes(partial);
    const dir = join(outRoot, id);
    await rename(partial, dir);
    const bytes = await folderBytes(dir);
    const seconds = (Date.now() - started) / 1000;
    const run: BackupRun = {
      id,
      finishedAt: manifest.finishedAt,
      location: dir,
      bytes,
      seconds,
      softwareVersion: options.software.version,
    };
    const sql = modules.get('postgres') ?? modules.get('embedded');
    if (sql instanceof SqlStoreBackup) await sql.recordRun(run);
    return { dir, manifest, bytes, seconds };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  } finally {
    await closeAll(modules);
  }
}

export interface VerifyReport {
  dir: string;
  manifest: Manifest;
  files: number;
  records: number;
  bytes: number;
}

/** For each store, the text its content digest covers of one archive line (see each module). */
function archiveDigester(store: BackupStoreName): (dataset: string, line: string) => string {
  if (store === 'chroma') return (_ds, line) => chromaDigestLine(line);
  if (store === 'neo4j') return neo4jDigester();
  // SQL (row_to_json text) and MongoDB (canonical EJSON) digest the archive line itself.
  return (_ds, line) => line;
}

/**
 * Checks a backup without touching any store: the manifest; that every file it names lies inside
 * the backup folder; every file's size and SHA-256; every archive decompressed to its end and
 * every line parsed; record counts; the content digest of every dataset recomputed from its
 * archive's records and compared with the manifest's (a record changed and the file re-hashed
 * is caught here, before a restore writes anything); pg_dump files read through by pg_restore
 * when it is on PATH. Throws BackupInvalidError listing every problem.
 */
export async function verifyBackup(dirArg: string, progress: ProgressSink = () => undefined): Promise<VerifyReport> {
  const dir = await resolveBackupDir(dirArg);
  const manifest = await readManifest(dir);
  const problems: string[] = [];
  let files = 0;
  let records = 0;
  let bytes = 0;
  for (const section of manifest.sections) {
    const listed = new Map(section.files.map((f) => [f.path, f]));
    for (const ds of section.datasets) {
      if (ds.file && !listed.has(ds.file))
        problems.push(`${section.store}/${ds.name}: archive ${ds.file} is not in the file list`);
      if (!ds.file && section.method === 'logical')
        problems.push(`${section.store}/${ds.name}: the manifest names no archive for it`);
    }
    const digestLine = archiveDigester(section.store);
    // Neo4j relationships name their end nodes: the node archive is read first.
    const ordered = [...section.files].sort(
      (a, b) => Number(/\/nodes\.jsonl\.gz$/.test(b.path)) - Number(/\/nodes\.jsonl\.gz$/.test(a.path)),
    );
    for (const f of ordered) {
      files += 1;
      const where = await entryPath(dir, f.path);
      if ('problem' in where) {
        problems.push(`${section.store}: ${where.problem}`);
        continue;
      }
      const abs = where.abs;
      const actual = await hashFile(abs).catch((err: Error) => {
        problems.push(`${f.path}: missing or unreadable (${err.message})`);
        return null;
      });
      if (!actual) continue;
      bytes += actual.bytes;
      if (actual.bytes !== f.bytes)
        problems.push(`${f.path}: ${actual.bytes} bytes, the manifest says ${f.bytes} (truncated?)`);
      if (actual.sha256 !== f.sha256) problems.push(`${f.path}: SHA-256 does not match the manifest (corrupted)`);
      if (f.records === undefined) {
        if (section.store === 'postgres' && section.method === 'pg_dump' && toolMajorVersion('pg_restore') !== null) {
          await pgDumper('postgres://localhost/unused')
            .check(abs)
            .catch((err: Error) => problems.push(`${f.path}: pg_restore cannot read it: ${err.message}`));
        }
        continue;
      }
      const ds = section.datasets.find((d) => d.file === f.path);
      const digest = new ContentDigest();
      let lines = 0;
      try {
        for await (const line of readJsonlArchive(abs)) {
          JSON.parse(line);
          if (ds) digest.add(digestLine(ds.name, line));
          lines += 1;
          if (lines % 5000 === 0)
            progress({
              phase: 'verify',
              store: section.store,
              dataset: ds?.name ?? f.path,
              done: lines,
              total: f.records,
            });
        }
      } catch (err) {
        problems.push(`${f.path}: unreadable archive after ${lines} records: ${(err as Error).message}`);
        continue;
      }
      progress({
        phase: 'verify',
        store: section.store,
        dataset: ds?.name ?? f.path,
        done: lines,
        total: f.records,
        finished: true,
      });
      records += lines;
      if (lines !== f.records) problems.push(`${f.path}: ${lines} records, the manifest says ${f.records}`);
      if (ds && lines !== ds.records)
        problems.push(`${section.store}/${ds.name}: ${lines} records, the manifest says ${ds.records}`);
      else if (ds && digest.hex() !== ds.digest)
        problems.push(
          `${section.store}/${ds.name}: the records of ${f.path} do not match the manifest's content digest (altered)`,
        );
    }
  }
  if (problems.length > 0) throw new BackupInvalidError(`backup ${dir} is damaged:\n  - ${problems.join('\n  - ')}`);
  return { dir, manifest, files, records, bytes };
}

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

export interface RestoreOptions {
  from: string;
  targets: BackupTargets;
  /** Replace the data of non-empty stores (default: refuse). */
  force?: boolean;
  progress?: ProgressSink;
}

export interface RestoreReport {
  dir: string;
  manifest: Manifest;
  stores: { store: BackupStoreName; datasets: DatasetDigest[] }[];
  seconds: number;
}

/**
 * Restores a backup: verifies it completely first — files, paths and every record against the
 * manifest's content digests — so nothing is written if any of it is damaged or altered;
 * refuses non-empty stores unless `force`; loads every store; then reads every store back and
 * compares record counts and content digests with the manifest.
 *
 * The embedded database (with a data directory) is all-or-nothing: it is restored into a new
 * directory beside the target and renamed into place only once every store matched the backup;
 * on any failure the target is as it was. Native stores (Postgres, MongoDB, Neo4j, Chroma) are
 * written in place after the verification: a failure while loading them (server down, disk
 * full) leaves them partly restored, to be restored again with --force.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  const started = Date.now();
  const progress = options.progress ?? (() => undefined);
  const verified = await verifyBackup(options.from, progress);
  const dir = verified.dir;
  const manifest: Manifest = { ...verified.manifest, sections: verified.manifest.sections.map(withoutTransientTables) };
  const names = manifest.sections.map((s) => s.store);
  const embeddedDir = names.includes('embedded') ? (options.targets.embedded?.dataDir ?? null) : null;
  const staged = embeddedDir === null ? null : resolve(embeddedDir);
  const direct = names.filter((n) => !(n === 'embedded' && staged));
  const modules = await openAll(direct, options.targets, 'restore');
  let staging: string | null = null;
  try {
    const busy: string[] = [];
    for (const name of direct) {
      const nonEmpty = await modules.get(name)!.nonEmptyDatasets();
      if (nonEmpty.length > 0) busy.push(`${name} (${nonEmpty.join(', ')})`);
    }
    if (staged) {
      const nonEmpty = await embeddedNonEmptyDatasets(staged);
      if (nonEmpty.length > 0) busy.push(`embedded (${nonEmpty.join(', ')})`);
    }
    if (busy.length > 0 && !options.force) {
      throw new RestoreRefusedError(
        `refusing to restore over data: ${busy.join('; ')} not empty. Restore into empty stores, or pass --force to replace their data`,
      );
    }
    if (staged) {
      await mkdir(dirname(staged), { recursive: true, mode: 0o700 });
      staging = `${staged}.restoring-${randomBytes(3).toString('hex')}`;
      modules.set('embedded', await openEmbeddedBackup(staging));
    }
    for (const section of STORE_ORDER.flatMap((n) => manifest.sections.filter((s) => s.store === n))) {
      // The staging directory is new and empty: --force replaces the target by the swap instead.
      const wipe = options.force === true && !(section.store === 'embedded' && staging);
      await modules.get(section.store)!.restore(section, { dir, progress, wipe });
    }
    const stores: RestoreReport['stores'] = [];
    const mismatches: string[] = [];
    for (const section of manifest.sections) {
      const digests = await modules.get(section.store)!.digests(section, progress, dir);
      stores.push({ store: section.store, datasets: digests });
      for (const ds of section.datasets) {
        const got = digests.find((d) => d.name === ds.name);
        if (!got || got.records !== ds.records) {
          mismatches.push(
            `${section.store}/${ds.name}: ${got?.records ?? 0} records restored, ${ds.records} backed up`,
          );
        } else if (got.digest !== ds.digest) {
          mismatches.push(`${section.store}/${ds.name}: content differs from the backup (digest mismatch)`);
        }
      }
    }
    if (mismatches.length > 0) {
      const untouched = staged ? ` (the embedded data directory ${staged} was left as it was)` : '';
      throw new Error(`restore finished but does not match the backup${untouched}:\n  - ${mismatches.join('\n  - ')}`);
    }
    if (staged && staging) {
      await modules.get('embedded')!.close();
      modules.delete('embedded');
      await swapIn(staging, staged);
      staging = null;
    }
    return { dir, manifest, stores, seconds: (Date.now() - started) / 1000 };
  } finally {
    await closeAll(modules);
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}

/** Tables holding data in an embedded data directory (none when it does not exist yet). */
async function embeddedNonEmptyDatasets(dataDir: string): Promise<string[]> {
  if (!(await exists(dataDir))) return [];
  let db: StoreBackup;
  try {
    // Takes the directory's lock: a running server holding it is named, and nothing is restored.
    db = await openEmbeddedBackup(dataDir);
  } catch (err) {
    throw new Error(`embedded: cannot open: ${(err as Error).message}`, { cause: err });
  }
  try {
    return await db.nonEmptyDatasets();
  } finally {
    await db.close();
  }
}

/**
 * Puts the restored directory in the target's place: under the target's lock (a server that
 * started meanwhile is named and the restore stops, target untouched), the target is renamed
 * aside, the restored one renamed in, and the old one removed.
 */
async function swapIn(staging: string, target: string): Promise<void> {
  let lock;
  try {
    lock = (await exists(target)) ? acquireDataDirLock(target) : null;
  } catch (err) {
    throw new Error(`embedded: ${(err as Error).message}`, { cause: err });
  }
  const replaced = `${target}.replaced-${randomBytes(3).toString('hex')}`;
  try {
    if (lock) await rename(target, replaced);
    try {
      await rename(staging, target);
    } catch (err) {
      if (lock) await rename(replaced, target);
      throw err;
    }
  } finally {
    // The lock file went aside with the old directory (or is back in place after a failure).
    lock?.release();
  }
  if (lock) await rm(replaced, { recursive: true, force: true });
  tightenModes(target);
}

/** A backup folder itself, or the newest complete backup inside a folder of backups. */
export async function resolveBackupDir(path: string): Promise<string> {
  const dir = resolve(path);
  if (await exists(join(dir, MANIFEST_FILE))) return dir;
  const candidates = (await listBackups(dir)).map((b) => b.dir);
  const newest = candidates[0];
  if (!newest) throw new BackupInvalidError(`${dir}: no ${MANIFEST_FILE} here and no complete backup inside`);
  return newest;
}

export interface BackupFolder {
  name: string;
  dir: string;
  time: Date;
}

/** Complete backups (with a manifest) under `root`, newest first. */
export async function listBackups(root: string): Promise<BackupFolder[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const out: BackupFolder[] = [];
  for (const e of entries) {
    const m = BACKUP_NAME.exec(e.name);
    if (!e.isDirectory() || !m) continue;
    if (!(await exists(join(root, e.name, MANIFEST_FILE)))) continue;
    const t = m[1]!;
    const time = new Date(
      `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}Z`,
    );
    out.push({ name: e.name, dir: join(root, e.name), time });
  }
  return out.sort((a, b) => b.time.getTime() - a.time.getTime() || b.name.localeCompare(a.name));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

export { recordBackupRun };
