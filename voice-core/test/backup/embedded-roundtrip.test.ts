import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { backup, openStores, type Stores } from '@mwva/voice-core';
import { dashboardView, seedThroughVoiceCore } from './fixtures';

/**
 * The embedded default (one PGlite database holding every role): seed through voice-core's
 * ports → backup → restore into a new, empty data dir → every table equal by content, and
 * the same dashboard answers. Then damaged archives are caught before anything is written.
 */
describe('backup and restore of the embedded stores', () => {
  const root = mkdtempSync(join(tmpdir(), 'mwva-backup-unit-'));
  const source = join(root, 'source');
  const out = join(root, 'backups');
  const software = { name: '@mwva/datasource-server', version: '0.0.0-test' };
  let callIds: string[] = [];
  let before: Record<string, unknown>;
  let backupDir: string;

  const open = (dataDir: string): Promise<Stores> => openStores({ dataDir }, new Registry());
  const targets = (dataDir: string) => backup.backupTargetsFromStoreOptions({ dataDir });

  beforeAll(async () => {
    const stores = await open(source);
    try {
      callIds = (await seedThroughVoiceCore(stores, 12)).map((c) => c.id);
      before = await dashboardView(stores, callIds);
      // The view is not trivially empty: a restore that lost data could not match it.
      expect((before.calls as unknown[]).length).toBe(12);
      expect((before.kpis as { calls: number }[]).reduce((n, k) => n + k.calls, 0)).toBe(12);
    } finally {
      await stores.close();
    }
    const { targets: t, roles } = targets(source);
    const result = await backup.runBackup({ outRoot: out, targets: t, roles, software, playbookVersion: 'v1' });
    backupDir = result.dir;
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes a manifest with counts, digests and checksums of every table', async () => {
    const manifest = await backup.readManifest(backupDir);
    expect(manifest.order).toEqual(['embedded']);
    expect(manifest.software.version).toBe('0.0.0-test');
    const section = manifest.sections[0]!;
    expect(section.method).toBe('logical');
    const byName = Object.fromEntries(section.datasets.map((d) => [d.name, d.records]));
    expect(byName).toMatchObject({
      calls: 12,
      call_events: 24,
      transcript_turns: 36,
      graph_credits: 12,
      beast_mode_snapshots: 3,
    });
    expect(byName.vector_items).toBeGreaterThan(2);
    expect(section.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    const migrations = section.schema.migrations as { scope: string }[];
    // 'state' too: its tables are not backed up, but a restore needs the schema they belong to.
    expect(new Set(migrations.map((m) => m.scope))).toEqual(
      new Set(['calls', 'documents', 'graph', 'vectors', 'state']),
    );
    await expect(backup.verifyBackup(backupDir)).resolves.toMatchObject({ dir: backupDir });
  });

  it('restores into an empty data dir with every table equal by content and the same dashboard answers', async () => {
    const target = join(root, 'restored');
    const report = await backup.restoreBackup({ from: out, targets: targets(target).targets });
    expect(report.dir).toBe(backupDir);
    const stores = await open(target);
    try {
      expect(await dashboardView(stores, callIds)).toEqual(before);
      // The arrival sequence continues after the restored ids (no duplicate key on the next event).
      expect(
        await stores.calls.appendEvents([
          { id: 'after-restore', callId: callIds[0]!, type: 'x', occurredAt: new Date().toISOString(), payload: {} },
        ]),
      ).toEqual(['after-restore']);
    } finally {
      await stores.close();
    }
  }, 120_000);

  it('refuses to restore over data without --force, and replaces it with --force', async () => {
    const target = join(root, 'busy');
    const stores = await open(target);
    await seedThroughVoiceCore(stores, 2, 'other');
    await stores.close();
    await expect(backup.restoreBackup({ from: backupDir, targets: targets(target).targets })).rejects.toThrow(
      /refusing to restore over data: embedded \(.*calls.*\)/,
    );
    await backup.restoreBackup({ from: backupDir, targets: targets(target).targets, force: true });
    const after = await open(target);
    try {
      expect(await dashboardView(after, callIds)).toEqual(before);
      expect(await after.calls.getCall('other-call-0')).toBeNull();
    } finally {
      await after.close();
    }
  }, 120_000);

  describe('damaged backups are caught by verify and by restore before anything is written', () => {
    const damaged = (name: string, damage: (dir: string, archive: string) => void): string => {
      const copy = join(root, `damaged-${name}`);
      rmSync(copy, { recursive: true, force: true });
      cpSync(backupDir, copy, { recursive: true });
      const archive = join(copy, 'embedded', 'calls.jsonl.gz');
      damage(copy, archive);
      return copy;
    };

    const expectRejectedBeforeWrite = async (dir: string, message: RegExp): Promise<void> => {
      await expect(backup.verifyBackup(dir)).rejects.toThrow(message);
      const target = join(root, `untouched-${Math.random().toString(16).slice(2)}`);
      await expect(backup.restoreBackup({ from: dir, targets: targets(target).targets })).rejects.toThrow(message);
      // Nothing was written: the restore never even opened the target.
      expect(() => readdirSync(target)).toThrow(/ENOENT/);
    };

    it('a truncated archive', async () => {
      const dir = damaged('truncated', (_d, archive) =>
        truncateSync(archive, Math.floor(readFileSync(archive).length / 2)),
      );
      await expectRejectedBeforeWrite(dir, /calls\.jsonl\.gz: .*(truncated|SHA-256)/);
    });

    it('a flipped byte inside an archive', async () => {
      const dir = damaged('corrupt', (_d, archive) => {
        const bytes = readFileSync(archive);
        const at = Math.floor(bytes.length / 2);
        bytes[at] = bytes[at]! ^ 0xff;
        writeFileSync(archive, bytes);
      });
      await expectRejectedBeforeWrite(dir, /calls\.jsonl\.gz: SHA-256 does not match/);
    });

    it('a missing archive and a broken manifest', async () => {
      await expectRejectedBeforeWrite(
        damaged('missing', (_d, archive) => rmSync(archive)),
        /calls\.jsonl\.gz: missing or unreadable/,
      );
      await expectRejectedBeforeWrite(
        damaged('manifest', (d) =>
          writeFileSync(join(d, 'manifest.json'), '{"format": "mwva-backup", "formatVersion": 1'),
        ),
        /manifest\.json is not valid JSON/,
      );
    });

    it('an archive whose checksum was recomputed but whose content was cut (readability check)', async () => {
      // Re-hash a truncated gzip into the manifest: only decompressing it to the end finds the damage.
      const dir = damaged('rehashed', (d, archive) => {
        truncateSync(archive, readFileSync(archive).length - 20);
        const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
        const bytes = readFileSync(archive);
        const file = manifest.sections[0].files.find((f: { path: string }) => f.path === 'embedded/calls.jsonl.gz');
        file.bytes = bytes.length;
        file.sha256 = createHash('sha256').update(bytes).digest('hex');
        writeFileSync(join(d, 'manifest.json'), JSON.stringify(manifest));
      });
      await expectRejectedBeforeWrite(dir, /calls\.jsonl\.gz: unreadable archive/);
    });
  });
});
