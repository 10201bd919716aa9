export {
  runBackup,
  verifyBackup,
  restoreBackup,
  resolveBackupDir,
  listBackups,
  backupTargetsFromStoreOptions,
  RestoreRefusedError,
  STORE_ORDER,
  type BackupTargets,
  type BackupOptions,
  type BackupResult,
  type VerifyReport,
  type RestoreOptions,
  type RestoreReport,
  type BackupFolder,
} from './engine';
export {
  BackupInvalidError,
  readManifest,
  type Manifest,
  type ManifestSection,
  type BackupStoreName,
} from './manifest';
export { pruneBackups, selectRetained, isoWeekKey, type RetentionPolicy } from './retention';
export { lastBackupSuccess, recordBackupRun, writeMetricsTextfile, BACKUP_RUNS_TABLE, type BackupRun } from './status';
export { ContentDigest, canonicalJson } from './digest';
export type { ProgressEvent, ProgressSink } from './types';
export type { PostgresMethod } from './postgres';
