import type { BackupStoreName, DatasetEntry, ManifestSection } from './manifest';

/** Progress of one dataset (table, collection, …); `total` is known up front when cheap. */
export interface ProgressEvent {
  phase: 'backup' | 'verify' | 'restore' | 'check';
  store: BackupStoreName;
  dataset: string;
  done: number;
  total: number | null;
  finished?: boolean;
}

export type ProgressSink = (event: ProgressEvent) => void;

export interface BackupContext {
  /** The backup folder being written (absolute). */
  dir: string;
  progress: ProgressSink;
}

export interface RestoreContext {
  /** The backup folder being read (absolute). */
  dir: string;
  progress: ProgressSink;
  /** Wipe the store's data first (only with --force, after the emptiness check said no). */
  wipe: boolean;
}

export type DatasetDigest = Pick<DatasetEntry, 'name' | 'records' | 'digest'>;

/**
 * One store's backup module. It talks to the store with its own driver (not the narrow
 * ports), reads everything it holds, and can put it back.
 */
export interface StoreBackup {
  readonly name: BackupStoreName;
  /** Writes the store's archives under `ctx.dir/<name>/` and describes them. */
  backup(ctx: BackupContext): Promise<ManifestSection>;
  /** Datasets that hold data now (empty = safe to restore into). */
  nonEmptyDatasets(): Promise<string[]>;
  /** Creates the schema, (wipes,) loads the archives of `section`. */
  restore(section: ManifestSection, ctx: RestoreContext): Promise<void>;
  /**
   * Counts and content digests of the datasets of `section`, read from the store now; `dir`
   * (the backup) lets a store compare what a digest cannot cover exactly (Chroma embeddings).
   */
  digests(section: ManifestSection, progress: ProgressSink, dir?: string): Promise<DatasetDigest[]>;
  /** Reads the archive files of `section` back and checks what only this store knows (pg_dump). */
  verifyOpaqueFiles?(section: ManifestSection, dir: string): Promise<void>;
  close(): Promise<void>;
}
