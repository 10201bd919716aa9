/**
 * Backup and restore in containers: the compose `backup` service (voice-agent backup-schedule)
 * takes a backup of the four stores when its cron expression fires — set here to a time a few
 * seconds ahead, as an operator would set BACKUP_SCHEDULE; `voice-agent restore` in a container
 * brings it back into fresh volumes (a second compose project with only the stores), and the
 * restored stores, backed up again, match the original manifest dataset by dataset (records and
 * content digest); a corrupted archive is refused by verify and by restore, even with --force,
 * before anything is written.
 */
import { record } from './support/results';
import { waitFor } from '@mwva/testkit';
import { compose, composeArgs, containerOf, docker, run, stackInfo } from './support/stack';

const RESTORE_PROJECT = 'mwva-restore-test';
const STORES = ['postgres', 'mongodb', 'neo4j', 'chroma'] as const;

interface Dataset {
  name: string;
  records: number;
  digest: string;
}
interface Manifest {
  id: string;
  sections: Array<{ store: string; method: string; datasets: Dataset[] }>;
}

const volume = () => `${stackInfo().project}_backups`;
/** A throwaway container of the API image with the backups volume (the image owns it as node). */
const inBackups = (script: string) =>
  docker([
    'run',
    '--rm',
    '--label',
    'mwva.compose-test=1',
    '-v',
    `${volume()}:/data`,
    '--entrypoint',
    'sh',
    'mwva-offline/voice-agent-api:local',
    '-c',
    script,
  ]);

/** docker compose for the restore project: the stack's files and .env, another project name. */
function restoreCompose(args: string[], timeoutMs = 600_000) {
  return run('docker', composeArgs('-p', RESTORE_PROJECT, ...args), { timeoutMs });
}

/** A 6-field cron expression (with seconds) that fires once a day, `aheadS` seconds from now, UTC. */
function cronAhead(aheadS: number): { expr: string; at: Date } {
  const at = new Date(Math.ceil((Date.now() + aheadS * 1000) / 1000) * 1000);
  return { expr: `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`, at };
}

describe('backup and restore in containers', () => {
  let backupDir = '';
  let original: Manifest;

  afterAll(async () => {
    await restoreCompose(['down', '-v', '--remove-orphans', '-t', '5']);
    // The backup service back on its default schedule.
    await compose(['up', '-d', '--no-deps', '--wait', 'backup'], { timeoutMs: 300_000 });
  });

  test('the backup service backs up all four stores when its cron schedule fires', async () => {
    const { expr, at } = cronAhead(40);
    const before = await inBackups('ls /data/backups 2>/dev/null | grep "^mwva-backup-" | grep -v partial || true');
    await compose(['up', '-d', '--no-deps', '--wait', 'backup'], {
      timeoutMs: 300_000,
      env: { BACKUP_SCHEDULE: expr },
    });
    const backup = await containerOf('backup');
    const started = await waitFor(
      async () => {
        const logs = (await run('docker', ['logs', backup.name])).stdout;
        return logs.split('\n').find((l) => l.includes('"backup schedule started"'));
      },
      60_000,
      'the scheduler to start',
      500,
    );
    expect(JSON.parse(started).nextRun).toBe(at.toISOString());
    const finished = await waitFor(
      async () => {
        const logs = (await run('docker', ['logs', backup.name])).stdout;
        // The scheduled run (a catch-up run may come first on a stack with older backups).
        return logs
          .split('\n')
          .find(
            (l) =>
              l.includes('"reason":"schedule"') && (l.includes('"backup finished"') || l.includes('"backup failed')),
          );
      },
      40_000 + 300_000,
      'the scheduled backup to finish',
      2000,
    );
    const done = JSON.parse(finished) as {
      msg: string;
      reason: string;
      exitCode: number;
      durationMs: number;
      time: number;
    };
    expect(done.msg).toBe('backup finished');
    expect(done.reason).toBe('schedule');
    // It started when the schedule said, not before.
    expect(done.time - done.durationMs).toBeGreaterThanOrEqual(at.getTime() - 1000);

    const after = await inBackups('ls /data/backups | grep "^mwva-backup-" | grep -v partial');
    const fresh = after
      .trim()
      .split('\n')
      .filter((d) => !before.includes(d));
    expect(fresh).toHaveLength(1);
    backupDir = fresh[0]!;
    original = JSON.parse(await inBackups(`cat /data/backups/${backupDir}/manifest.json`)) as Manifest;
    const records = Object.fromEntries(
      original.sections.map((s) => [s.store, s.datasets.reduce((n, d) => n + d.records, 0)]),
    );
    record('backup-scheduled', { schedule: expr, backup: backupDir, durationMs: done.durationMs, records });
    for (const store of STORES) expect(records[store]).toBeGreaterThan(0);
  });

  test('restore into fresh volumes brings back the same content, store by store', async () => {
    expect(backupDir).not.toBe('');
    const up = await restoreCompose(['up', '-d', '--wait', ...STORES]);
    expect(up.code).toBe(0);
    const t0 = Date.now();
    const restore = await restoreCompose([
      'run',
      '--rm',
      '--no-deps',
      '-v',
      `${volume()}:/backups:ro`,
      'voice-agent-api',
      'restore',
      '--from',
      `/backups/backups/${backupDir}`,
    ]);
    const restoreMs = Date.now() - t0;
    expect(restore.stderr + restore.stdout).toMatch(/match the manifest/);
    expect(restore.code).toBe(0);
    // Independent check: back the restored stores up again and compare every dataset.
    const again = await restoreCompose([
      'run',
      '--rm',
      '--no-deps',
      '--entrypoint',
      'sh',
      'voice-agent-api',
      '-c',
      'node datasource-server/dist/cli/main.js backup --out /tmp/check >/dev/null 2>&1 && cat /tmp/check/mwva-backup-*/manifest.json',
    ]);
    expect(again.code).toBe(0);
    const restored = JSON.parse(again.stdout) as Manifest;
    const bySection = (m: Manifest, store: string) =>
      Object.fromEntries(
        (m.sections.find((s) => s.store === store)?.datasets ?? [])
          // backup_runs gains a row per backup taken; the rest must be identical.
          .filter((d) => d.name !== 'backup_runs')
          .map((d) => [d.name, { records: d.records, digest: d.digest }]),
      );
    const compared: Record<string, number> = {};
    for (const store of STORES) {
      expect({ store, datasets: bySection(restored, store) }).toEqual({ store, datasets: bySection(original, store) });
      compared[store] = Object.keys(bySection(original, store)).length;
    }
    record('restore', {
      backup: backupDir,
      restoreSeconds: Math.round(restoreMs / 100) / 10,
      datasetsCompared: compared,
    });
  });

  test('a corrupted archive is refused by verify and by restore --force, and nothing is written', async () => {
    const bad = `${backupDir.replace(/Z$/, '')}9Z`;
    // A copy of the backup with 64 bytes in the middle of one archive overwritten.
    await inBackups(
      `cd /data/backups && cp -a ${backupDir} ${bad} && f=$(ls ${bad}/postgres/*.gz ${bad}/mongodb/*.gz 2>/dev/null | head -1) && ` +
        `size=$(stat -c %s "$f") && dd if=/dev/urandom of="$f" bs=1 count=64 seek=$((size / 2)) conv=notrunc 2>/dev/null && echo "$f"`,
    );
    const countCalls = async () =>
      (
        await restoreCompose([
          'exec',
          '-T',
          'postgres',
          'psql',
          '-At',
          '-U',
          'voice',
          '-d',
          'voice',
          '-c',
          'select count(*) from calls',
        ])
      ).stdout.trim();
    const callsBefore = await countCalls();
    const verify = await restoreCompose([
      'run',
      '--rm',
      '--no-deps',
      '-v',
      `${volume()}:/backups:ro`,
      'voice-agent-api',
      'backup',
      'verify',
      `/backups/backups/${bad}`,
    ]);
    const restore = await restoreCompose([
      'run',
      '--rm',
      '--no-deps',
      '-v',
      `${volume()}:/backups:ro`,
      'voice-agent-api',
      'restore',
      '--force',
      '--from',
      `/backups/backups/${bad}`,
    ]);
    await inBackups(`rm -rf /data/backups/${bad}`);
    record('restore-corrupt', {
      verifyExit: verify.code,
      restoreExit: restore.code,
      verifyOutput: (verify.stderr + verify.stdout).slice(-400),
    });
    expect(verify.code).toBe(1);
    expect(verify.stderr + verify.stdout).toMatch(/sha-?256|checksum|digest|truncat|gzip|corrupt/i);
    expect(restore.code).toBe(1);
    expect(await countCalls()).toBe(callsBefore);
  });
});
