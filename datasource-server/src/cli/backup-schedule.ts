/**
 * `voice-agent backup-schedule`: runs `voice-agent backup` on a cron expression, for the compose
 * `backup` service (Kubernetes has its CronJob). Each run is a child process of the same CLI, so
 * a run that crashes or leaks cannot take the scheduler down, and the command line is exactly the
 * one the CronJob and the tests run.
 *
 * - Schedule: a cron expression (croner: 5 fields, or 6 with seconds), `--schedule` or
 *   BACKUP_SCHEDULE, in `--timezone` (default UTC). Default: daily at 03:17 UTC.
 * - Overlap: a run that is still going when the next one is due makes that one skip (logged).
 * - Missed runs: at start, if the newest complete backup is older than the last time the
 *   schedule fired (the container was down or stopped then), one catch-up backup runs at once;
 *   older misses are not made up one by one. With no backup at all, the first run is the next
 *   scheduled one.
 * - Health: `<out>/.scheduler-heartbeat` is touched every 15 s while the scheduler is alive AND
 *   the last success (or its start, before the first run) is younger than `--max-age-hours`; the
 *   compose healthcheck only checks that file's age.
 * - Retention is the backup command's own (`--keep-daily`, `--keep-weekly` after `--`).
 * Logs are pino JSON lines, with the next run time after each event.
 */
import { spawn } from 'node:child_process';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Cron } from 'croner';
import { backup } from '@mwva/voice-core';
import { createLogger, type Logger } from '../observability/logger';
import { parseIntOption } from './progress';

export const DEFAULT_SCHEDULE = '17 3 * * *';
export const HEARTBEAT_FILE = '.scheduler-heartbeat';
const HEARTBEAT_MS = 15_000;

export interface ScheduleOptions {
  schedule: string;
  timezone: string;
  out: string;
  maxAgeHours: number;
  /** arguments after `--`, passed to `voice-agent backup --out <out>` */
  backupArgs: string[];
}

/** A croner job that never fires on its own: for questions about the schedule. */
export function parseSchedule(schedule: string, timezone: string): Cron {
  try {
    return new Cron(schedule, { timezone, paused: true });
  } catch (err) {
    throw new Error(`--schedule: invalid cron expression "${schedule}" (${(err as Error).message})`, { cause: err });
  }
}

/**
 * The last time the schedule fired at or before `now`, if the newest backup predates it (a run
 * was missed), else null. `lastBackup` null (no backup yet) is never a miss.
 */
export function missedRun(schedule: Cron, lastBackup: Date | null, now: Date): Date | null {
  if (!lastBackup) return null;
  const previous = schedule.previousRuns(1, now)[0];
  return previous && previous.getTime() > lastBackup.getTime() ? previous : null;
}

/**
 * Healthy while the last success is younger than the bound; before the first backup ever, the
 * scheduler's start counts. An old backup found at start is overdue: unhealthy until the
 * catch-up run succeeds.
 */
export function healthy(lastSuccess: Date | null, startedAt: Date, now: Date, maxAgeHours: number): boolean {
  const since = lastSuccess ?? startedAt;
  return now.getTime() - since.getTime() < maxAgeHours * 3_600_000;
}

/** Runs `voice-agent backup --out <out> …` as a child of this CLI; resolves with its exit code. */
function runBackupChild(o: ScheduleOptions, onChild: (pid: number | undefined) => void): Promise<number> {
  const child = spawn(process.execPath, [process.argv[1]!, 'backup', '--out', o.out, ...o.backupArgs], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  onChild(child.pid);
  return new Promise((resolve) => {
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function touch(file: string): Promise<void> {
  const now = new Date();
  await utimes(file, now, now).catch(() => writeFile(file, ''));
}

/** The scheduler itself: resolves when SIGTERM/SIGINT stopped it (after a running backup ended). */
export async function runSchedule(o: ScheduleOptions, logger: Logger): Promise<void> {
  const startedAt = new Date();
  await mkdir(o.out, { recursive: true });
  const newest = async () => (await backup.listBackups(o.out))[0]?.time ?? null;
  let lastSuccess = await newest();
  let running: Promise<number> | null = null;
  let childPid: number | undefined;

  const runOnce = async (reason: string): Promise<void> => {
    const t0 = Date.now();
    logger.info({ reason, out: o.out }, 'backup started');
    running = runBackupChild(o, (pid) => (childPid = pid));
    const code = await running;
    running = null;
    childPid = undefined;
    if (code === 0) lastSuccess = (await newest()) ?? new Date();
    const fields = { reason, exitCode: code, durationMs: Date.now() - t0, nextRun: job.nextRun()?.toISOString() };
    if (code === 0) logger.info(fields, 'backup finished');
    else logger.error(fields, 'backup failed; the next scheduled run tries again');
  };

  const job = new Cron(
    o.schedule,
    {
      timezone: o.timezone,
      // A backup still running when the next one is due: skip that one.
      protect: (j) => logger.warn({ nextRun: j.nextRun()?.toISOString() }, 'backup still running; this run is skipped'),
    },
    () => runOnce('schedule'),
  );
  const heartbeat = join(o.out, HEARTBEAT_FILE);
  const beat = async () => {
    if (healthy(lastSuccess, startedAt, new Date(), o.maxAgeHours)) await touch(heartbeat);
  };
  await beat();
  const beating = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);
  logger.info(
    {
      schedule: o.schedule,
      timezone: o.timezone,
      nextRun: job.nextRun()?.toISOString(),
      lastBackup: lastSuccess?.toISOString() ?? null,
    },
    'backup schedule started',
  );

  const missed = missedRun(job, lastSuccess, new Date());
  if (missed) {
    logger.warn({ missedRun: missed.toISOString() }, 'a scheduled backup was missed; catching up now');
    void runOnce('catch-up');
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'backup schedule stopping');
      job.stop();
      clearInterval(beating);
      // A backup in progress gets the signal too and ends cleanly (its folder stays .partial).
      if (childPid) process.kill(childPid, signal);
      void Promise.resolve(running).then(() => resolve());
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** `voice-agent backup-schedule [--schedule CRON] --out DIR [-- backup options]` */
export function registerBackupScheduleCommand(program: Command): void {
  program
    .command('backup-schedule')
    .description('run `voice-agent backup --out DIR` on a cron schedule (the compose backup service)')
    .option(
      '--schedule <cron>',
      'cron expression (env BACKUP_SCHEDULE)',
      process.env.BACKUP_SCHEDULE || DEFAULT_SCHEDULE,
    )
    .option('--timezone <tz>', 'time zone of the schedule (env BACKUP_TIMEZONE)', process.env.BACKUP_TIMEZONE || 'UTC')
    .requiredOption('--out <dir>', 'backup folder (as `voice-agent backup --out`)')
    .option('--max-age-hours <n>', 'unhealthy when the last success is older', parseIntOption('max-age-hours', 1), 26)
    .argument('[backupArgs...]', 'after --: more `voice-agent backup` options, e.g. --keep-daily 7')
    .action(
      async (backupArgs: string[], opts: { schedule: string; timezone: string; out: string; maxAgeHours: number }) => {
        parseSchedule(opts.schedule, opts.timezone).stop();
        const logger = createLogger(process.env.LOG_LEVEL || 'info');
        await runSchedule({ ...opts, backupArgs }, logger);
      },
    );
}
