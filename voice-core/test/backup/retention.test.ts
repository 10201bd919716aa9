import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backup } from '@mwva/voice-core';

const folder = (iso: string): { name: string; time: Date } => {
  const time = new Date(iso);
  return {
    name: `mwva-backup-${time
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}Z$/, 'Z')}`,
    time,
  };
};

describe('backup retention', () => {
  it('keeps the newest per day for N days and the newest per ISO week for M weeks', () => {
    // Two backups a day for 30 days, newest 2024-03-31 (a Sunday).
    const all = Array.from({ length: 60 }, (_, i) =>
      folder(
        new Date(Date.UTC(2024, 2, 31, 23, 0) - Math.floor(i / 2) * 86_400_000 - (i % 2) * 3_600_000).toISOString(),
      ),
    );
    const keep = backup.selectRetained(all, { keepDaily: 7, keepWeekly: 4 });
    const kept = all.filter((b) => keep.has(b.name)).map((b) => b.time.toISOString().slice(0, 13));
    // 7 daily (23:00 of Mar 25..31) plus the newest of the 3 earlier ISO weeks (Sundays 24, 17, 10).
    expect(kept).toEqual([
      '2024-03-31T23',
      '2024-03-30T23',
      '2024-03-29T23',
      '2024-03-28T23',
      '2024-03-27T23',
      '2024-03-26T23',
      '2024-03-25T23',
      '2024-03-24T23',
      '2024-03-17T23',
      '2024-03-10T23',
    ]);
    expect(backup.isoWeekKey(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(backup.isoWeekKey(new Date('2021-01-03T00:00:00Z'))).toBe('2020-W53');
  });

  it('always keeps the newest, and prunes only complete backups it does not keep plus stale partial runs', async () => {
    expect([...backup.selectRetained([folder('2024-01-01T00:00:00Z')], { keepDaily: 0, keepWeekly: 0 })]).toHaveLength(
      1,
    );
    const root = mkdtempSync(join(tmpdir(), 'mwva-retention-'));
    try {
      const names = ['2024-03-01T03:17:00Z', '2024-03-01T04:00:00Z', '2024-03-02T03:17:00Z'].map((t) => folder(t).name);
      for (const n of names) {
        mkdirSync(join(root, n));
        writeFileSync(join(root, n, 'manifest.json'), '{}');
      }
      mkdirSync(join(root, 'mwva-backup-20240101T000000Z.partial'));
      utimesSync(join(root, 'mwva-backup-20240101T000000Z.partial'), new Date('2024-01-01'), new Date('2024-01-01'));
      mkdirSync(join(root, 'mwva-backup-20240302T050000Z.partial')); // a run in progress right now
      mkdirSync(join(root, 'unrelated'));
      const deleted = await backup.pruneBackups(root, { keepDaily: 1, keepWeekly: 0 });
      expect(deleted.sort()).toEqual([names[0], names[1], 'mwva-backup-20240101T000000Z.partial'].sort());
      expect(readdirSync(root).sort()).toEqual([names[2], 'mwva-backup-20240302T050000Z.partial', 'unrelated'].sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
