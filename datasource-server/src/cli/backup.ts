import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { backup, loadPlaybook } from '@mwva/voice-core';
import { loadEnv } from '../config/env';
import { storeOptionsFromEnv } from '../stores';
import { parseIntOption, progressLine } from './progress';

const POSTGRES_METHODS = ['auto', 'pg_dump', 'logical'] as const;

function software(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return { name: pkg.name, version: pkg.version };
}

function parseMethod(raw: string): backup.PostgresMethod {
  if (!(POSTGRES_METHODS as readonly string[]).includes(raw))
    throw new Error(`--postgres-method must be one of ${POSTGRES_METHODS.join(', ')}`);
  return raw as backup.PostgresMethod;
}

/**
 * One progress bar per dataset on stderr (stdout stays clean for --json). Without a terminal
 * (CronJob logs) only one line per finished dataset, plus one every few seconds on big ones.
 */
function progressBars(): backup.ProgressSink {
  if (!process.stderr.isTTY) {
    let last = Date.now();
    return (e) => {
      if (!e.finished && Date.now() - last < 5000) return;
      last = Date.now();
      const total = e.total === null ? '' : `/${e.total}`;
      process.stderr.write(`${e.phase} ${e.store}/${e.dataset}: ${e.done}${total}${e.finished ? ' done' : ''}\n`);
    };
  }
  let key = '';
  let bar: ReturnType<typeof progressLine> | null = null;
  return (e) => {
    const k = `${e.phase} ${e.store}/${e.dataset}`;
    if (k !== key) {
      bar?.done();
      key = k;
      bar = progressLine(k.padEnd(40));
    }
    bar!.update(e.done, e.total ?? e.done);
    if (e.finished) {
      bar!.done();
      bar = null;
      key = '';
    }
  };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function printSections(manifest: backup.Manifest): void {
  for (const s of manifest.sections) {
    const records = s.datasets.reduce((n, d) => n + d.records, 0);
    const bytes = s.files.reduce((n, f) => n + f.bytes, 0);
    process.stderr.write(
      `  ${s.store.padEnd(9)} ${s.method.padEnd(8)} ${String(records).padStart(10)} records  ${mb(bytes).padStart(10)}  (${s.datasets.length} datasets)\n`,
    );
  }
}

export interface BackupCliOptions {
  out: string;
  keepDaily?: number;
  keepWeekly?: number;
  metricsFile?: string;
  postgresMethod: backup.PostgresMethod;
  json: boolean;
}

/** `voice-agent backup --out DIR`: every configured store into DIR/mwva-backup-<time>/. */
export async function runBackupCommand(opts: BackupCliOptions): Promise<void> {
  const env = loadEnv();
  const { targets, roles } = backup.backupTargetsFromStoreOptions(storeOptionsFromEnv(env), opts.postgresMethod);
  const result = await backup.runBackup({
    outRoot: opts.out,
    targets,
    roles,
    software: software(),
    playbookVersion: loadPlaybook().version,
    progress: progressBars(),
  });
  if (opts.metricsFile) {
    await backup.writeMetricsTextfile(opts.metricsFile, {
      id: result.manifest.id,
      finishedAt: result.manifest.finishedAt,
      location: result.dir,
      bytes: result.bytes,
      seconds: result.seconds,
      softwareVersion: result.manifest.software.version,
    });
  }
  let pruned: string[] = [];
  if (opts.keepDaily !== undefined || opts.keepWeekly !== undefined) {
    pruned = await backup.pruneBackups(opts.out, { keepDaily: opts.keepDaily ?? 0, keepWeekly: opts.keepWeekly ?? 0 });
  }
  process.stderr.write(
    `backup ${result.manifest.id}: ${mb(result.bytes)} in ${result.seconds.toFixed(1)} s → ${result.dir}\n`,
  );
  printSections(result.manifest);
  if (pruned.length > 0) process.stderr.write(`  retention: removed ${pruned.join(', ')}\n`);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ dir: result.dir, id: result.manifest.id, bytes: result.bytes, seconds: result.seconds, pruned })}\n`,
    );
  }
}

/** `voice-agent backup verify DIR`: exit 1 with every problem listed when the backup is damaged. */
export async function runVerifyCommand(dir: string, opts: { json: boolean }): Promise<void> {
  const report = await backup.verifyBackup(dir, progressBars());
  process.stderr.write(
    `backup ${report.manifest.id} is intact: ${report.files} files, ${report.records} records, ${mb(report.bytes)} ` +
      `(software ${report.manifest.software.version}, taken ${report.manifest.createdAt})\n`,
  );
  printSections(report.manifest);
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ ok: true, dir: report.dir, files: report.files, records: report.records })}\n`,
    );
}

/** `voice-agent restore --from DIR [--force]`: into the stores of the environment, then checked. */
export async function runRestoreCommand(opts: { from: string; force: boolean; json: boolean }): Promise<void> {
  const env = loadEnv();
  const { targets } = backup.backupTargetsFromStoreOptions(storeOptionsFromEnv(env));
  const report = await backup.restoreBackup({ from: opts.from, targets, force: opts.force, progress: progressBars() });
  const records = report.stores.flatMap((s) => s.datasets).reduce((n, d) => n + d.records, 0);
  process.stderr.write(
    `restored ${report.manifest.id} in ${report.seconds.toFixed(1)} s: ${records} records; every store's counts and ` +
      'content digests match the manifest\n',
  );
  printSections(report.manifest);
  if (opts.json)
    process.stdout.write(`${JSON.stringify({ ok: true, dir: report.dir, seconds: report.seconds, records })}\n`);
}

const parentOpts = (cmd: Command): Partial<BackupCliOptions> => cmd.opts<Partial<BackupCliOptions>>();

/** Registers `backup` (with `verify`) and `restore`. */
export function registerBackupCommands(program: Command): void {
  const cmd = program
    .command('backup')
    .description(
      'back up every store (Postgres/PGlite, MongoDB, Neo4j, Chroma) to a folder; see deploy/backup/README.md',
    )
    .option('--out <dir>', 'folder to write mwva-backup-<time>/ into')
    .option(
      '--keep-daily <n>',
      'after the backup, keep the newest backup of each of the last N days',
      parseIntOption('keep-daily', 0),
    )
    .option(
      '--keep-weekly <n>',
      '… and of each of the last M ISO weeks (others are deleted)',
      parseIntOption('keep-weekly', 0),
    )
    .option('--metrics-file <file>', 'write voice_backup_last_success_timestamp_seconds as a Prometheus textfile')
    .option(
      '--postgres-method <m>',
      'auto (pg_dump when usable), pg_dump or logical',
      parseMethod,
      'auto' as backup.PostgresMethod,
    )
    .option('--json', 'print a one-line JSON result on stdout', false)
    .action((opts: Partial<BackupCliOptions>) => {
      if (!opts.out) throw new Error('backup needs --out <dir> (or the subcommand verify)');
      return runBackupCommand(opts as BackupCliOptions);
    });
  cmd
    .command('verify <dir>')
    .description('check a backup without restoring: manifest, checksums, every archive readable to its end')
    .option('--json', 'print a one-line JSON result on stdout', false)
    // commander hands an option both levels define to the parent (`backup`), wherever it is written.
    .action((dir: string, opts: { json: boolean }) =>
      runVerifyCommand(dir, { json: opts.json || parentOpts(cmd).json === true }),
    );
  program
    .command('restore')
    .description('restore a backup into the stores of the environment (refuses non-empty stores unless --force)')
    .requiredOption('--from <dir>', 'a backup folder, or a folder of backups (the newest complete one is used)')
    .option('--force', 'replace the data of stores that are not empty', false)
    .option('--json', 'print a one-line JSON result on stdout', false)
    .action((opts: { from: string; force: boolean; json: boolean }) => runRestoreCommand(opts));
}
