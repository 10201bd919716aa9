import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listBackups, type BackupFolder } from './engine';

export interface RetentionPolicy {
  /** Keep the newest backup of each of the last N days that have one. */
  keepDaily: number;
  /** Keep the newest backup of each of the last M ISO weeks that have one. */
  keepWeekly: number;
}

const dayKey = (d: Date): string => d.toISOString().slice(0, 10);

/** ISO 8601 week, e.g. 2025-W01 (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeekKey(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Names to keep: the newest per day for `keepDaily` days, per week for `keepWeekly` weeks, and the newest overall. */
export function selectRetained(backups: Pick<BackupFolder, 'name' | 'time'>[], policy: RetentionPolicy): Set<string> {
  const newestFirst = [...backups].sort((a, b) => b.time.getTime() - a.time.getTime() || b.name.localeCompare(a.name));
  const keep = new Set<string>();
  if (newestFirst[0]) keep.add(newestFirst[0].name);
  const pick = (limit: number, key: (d: Date) => string): void => {
    const seen = new Set<string>();
    for (const b of newestFirst) {
      const k = key(b.time);
      if (seen.has(k)) continue;
      if (seen.size >= limit) break;
      seen.add(k);
      keep.add(b.name);
    }
  };
  pick(policy.keepDaily, dayKey);
  pick(policy.keepWeekly, isoWeekKey);
  return keep;
}

/**
 * Deletes complete backups the policy does not keep, and `.partial` folders (failed or killed
 * runs) older than a day. Returns the deleted folder names.
 */
export async function pruneBackups(root: string, policy: RetentionPolicy, now = new Date()): Promise<string[]> {
  const backups = await listBackups(root);
  const keep = selectRetained(backups, policy);
  const deleted: string[] = [];
  for (const b of backups) {
    if (keep.has(b.name)) continue;
    await rm(b.dir, { recursive: true, force: true });
    deleted.push(b.name);
  }
  for (const e of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory() || !/^mwva-backup-.*\.partial$/.test(e.name)) continue;
    const age = now.getTime() - (await stat(join(root, e.name))).mtimeMs;
    if (age > 86_400_000) {
      await rm(join(root, e.name), { recursive: true, force: true });
      deleted.push(e.name);
    }
  }
  return deleted;
}
