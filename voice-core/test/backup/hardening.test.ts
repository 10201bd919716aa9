import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { backup, openStores, type Stores } from '@mwva/voice-core';
import { seedThroughVoiceCore } from './fixtures';

/**
 * What an adversarial review of backup/verify/restore found, each as the attack it tried:
 * altered records with re-computed checksums, manifest paths leaving the backup folder,
 * world-readable backups, backing up a data directory that is not there or is in use, live
 * call state in the backup, and a restore that fails half-way leaving the target changed.
 */
describe('backup hardening (embedded stores)', () => {
  const root = mkdtempSync(join(tmpdir(), 'mwva-backup-hard-'));
  const source = join(root, 'source');
  const out = join(root, 'backups');
  const software = { name: '@mwva/datasource-server', version: '0.0.0-test' };
  let backupDir: string;

  const open = (dataDir: string): Promise<Stores> => openStores({ dataDir }, new Registry());
  const targets = (dataDir: string | null) => backup.backupTargetsFromStoreOptions({ dataDir });
  const takeBackup = (dataDir: string | null, outRoot = out) => {
    const { targets: t, roles } = targets(dataDir);
    return backup.runBackup({ outRoot, targets: t, roles, software, playbookVersion: 'v1' });
  };
  const fresh = (name: string): string => join(root, `${name}-${Math.random().toString(16).slice(2)}`);

  beforeAll(async () => {
    const stores = await open(source);
    try {
      await seedThroughVoiceCore(stores, 4);
      // Live call state, as a running server holds it in the embedded stand-in for Redis.
      await stores.state.compareAndSet('bk-call-live', { phase: 'talking' }, 0, 3600);
      expect(await stores.state.claimOnce('webhook:bk-live', 3600)).toBe(true);
      await stores.state.markActive('bk-call-live');
    } finally {
      await stores.close();
    }
    backupDir = (await takeBackup(source)).dir;
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A copy of the backup with `damage` applied. */
  const damaged = (damage: (dir: string) => void, dir = fresh('damaged')): string => {
    cpSync(backupDir, dir, { recursive: true });
    damage(dir);
    return dir;
  };
  const editManifest = (dir: string, edit: (m: backup.Manifest) => void): void => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as backup.Manifest;
    edit(manifest);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  };
  /** Rewrites an archive's records and puts its new size and SHA-256 in the manifest. */
  const rewriteRecords = (dir: string, rel: string, edit: (lines: string[]) => string[]): void => {
    const abs = join(dir, rel);
    const lines = gunzipSync(readFileSync(abs)).toString('utf8').split('\n').filter(Boolean);
    const bytes = gzipSync(`${edit(lines).join('\n')}\n`);
    writeFileSync(abs, bytes);
    editManifest(dir, (m) => {
      const file = m.sections[0]!.files.find((f) => f.path === rel)!;
      file.bytes = bytes.length;
      file.sha256 = createHash('sha256').update(bytes).digest('hex');
    });
  };
  const expectNothingWritten = (target: string): void => {
    expect(() => readdirSync(target)).toThrow(/ENOENT/);
  };

  it('verify and restore reject a changed record whose file checksum was recomputed, before writing', async () => {
    const dir = damaged((d) =>
      rewriteRecords(d, 'embedded/calls.jsonl.gz', (lines) => [
        lines[0]!.replace(/"campaign":"[^"]*"/, '"campaign":"tampered"'),
        ...lines.slice(1),
      ]),
    );
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).not.toBe(readFileSync(join(backupDir, 'manifest.json')));
    const altered =
      /embedded\/calls: the records of embedded\/calls\.jsonl\.gz do not match the manifest's content digest/;
    await expect(backup.verifyBackup(dir)).rejects.toThrow(altered);
    const target = fresh('tampered-target');
    await expect(backup.restoreBackup({ from: dir, targets: targets(target).targets })).rejects.toThrow(altered);
    expectNothingWritten(target);
  });

  describe('manifest paths that leave the backup folder are refused by verify and restore', () => {
    const expectRefused = async (dir: string, entry: RegExp): Promise<void> => {
      await expect(backup.verifyBackup(dir)).rejects.toThrow(entry);
      const target = fresh('escape-target');
      await expect(backup.restoreBackup({ from: dir, targets: targets(target).targets })).rejects.toThrow(entry);
      expectNothingWritten(target);
    };
    const pointAt = (path: string) => (d: string) =>
      editManifest(d, (m) => {
        const section = m.sections[0]!;
        section.files.find((f) => f.path === 'embedded/calls.jsonl.gz')!.path = path;
        section.datasets.find((ds) => ds.name === 'calls')!.file = path;
      });

    it('a relative path climbing out (an intact archive placed outside)', async () => {
      const outside = join(root, 'outside');
      mkdirSync(outside, { recursive: true });
      copyFileSync(join(backupDir, 'embedded', 'calls.jsonl.gz'), join(outside, 'calls.jsonl.gz'));
      mkdirSync(join(root, 'escape'), { recursive: true });
      const dir = damaged(pointAt('../../outside/calls.jsonl.gz'), join(root, 'escape', 'relative'));
      await expectRefused(
        dir,
        /embedded: manifest entry "\.\.\/\.\.\/outside\/calls\.jsonl\.gz" points outside the backup folder/,
      );
    });

    it('an absolute path', async () => {
      const abs = join(root, 'outside-abs.jsonl.gz');
      copyFileSync(join(backupDir, 'embedded', 'calls.jsonl.gz'), abs);
      const dir = damaged(pointAt(abs));
      await expectRefused(dir, new RegExp(`manifest entry "${abs}" points outside the backup folder`));
    });

    it('a symbolic link inside the backup that leads out', async () => {
      const abs = join(root, 'outside-link.jsonl.gz');
      copyFileSync(join(backupDir, 'embedded', 'calls.jsonl.gz'), abs);
      const dir = damaged((d) => {
        rmSync(join(d, 'embedded', 'calls.jsonl.gz'));
        symlinkSync(abs, join(d, 'embedded', 'calls.jsonl.gz'));
      });
      await expectRefused(
        dir,
        /manifest entry "embedded\/calls\.jsonl\.gz" is a link to .*, outside the backup folder/,
      );
    });
  });

  it('writes the backup private to its owner: folders 0700, files 0600', () => {
    const modes = (dir: string): string[] =>
      [dir, ...readdirSync(dir, { recursive: true }).map((p) => join(dir, String(p)))].map((p) => {
        const st = statSync(p);
        return `${p}: ${(st.mode & 0o777).toString(8)}`;
      });
    const all = modes(backupDir);
    expect(all.length).toBeGreaterThan(5);
    for (const line of all) {
      const [path] = line.split(': ');
      expect(line).toBe(`${path}: ${statSync(path!).isDirectory() ? '700' : '600'}`);
    }
  });

  it('refuses to back up an embedded data directory that does not exist, and creates nothing', async () => {
    const missing = join(root, 'no-such-data-dir');
    const outRoot = join(root, 'backups-of-nothing');
    const err = (await takeBackup(missing, outRoot).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^embedded: cannot open: no database at .*no-such-data-dir: nothing to back up/);
    expect(err.message).not.toContain('\n');
    expect(existsSync(missing)).toBe(false);
    expect(readdirSync(outRoot)).toEqual([]);
    await expect(takeBackup(null, outRoot)).rejects.toThrow(/in memory, there is nothing to back up/);
  });

  it('refuses backup and restore of a data directory a running server holds, naming the holder in one line', async () => {
    const stores = await open(source);
    try {
      const err = (await takeBackup(source, join(root, 'backups-locked')).catch((e: Error) => e)) as Error;
      expect(err.message).toMatch(/^embedded: cannot open: the embedded data directory .* is in use by .*\(pid \d+/);
      expect(err.message).not.toContain('\n');
      const restoreErr = (await backup
        .restoreBackup({ from: backupDir, targets: targets(source).targets, force: true })
        .catch((e: Error) => e)) as Error;
      expect(restoreErr.message).toMatch(/^embedded: cannot open: the embedded data directory .* is in use by/);
      expect(restoreErr.message).not.toContain('\n');
      // Still the server's: its data is there.
      expect(await stores.calls.getCall('bk-call-0')).not.toBeNull();
    } finally {
      await stores.close();
    }
  }, 60_000);

  it('leaves the live call state (the embedded stand-in for Redis) out of the backup', async () => {
    const manifest = await backup.readManifest(backupDir);
    const names = manifest.sections[0]!.datasets.map((d) => d.name);
    expect(names).toContain('calls');
    expect(names.filter((n) => n.startsWith('live_'))).toEqual([]);
    const target = fresh('live-target');
    await backup.restoreBackup({ from: backupDir, targets: targets(target).targets });
    const stores = await open(target);
    try {
      expect(await stores.calls.getCall('bk-call-0')).not.toBeNull();
      expect(await stores.state.listActive()).toEqual([]);
      expect(await stores.state.claimOnce('webhook:bk-live', 60)).toBe(true);
    } finally {
      await stores.close();
    }
  }, 60_000);

  it('restores the embedded database all-or-nothing: a restore that fails its check leaves the target as it was', async () => {
    const target = fresh('busy-target');
    const before = await open(target);
    await seedThroughVoiceCore(before, 2, 'other');
    await before.close();
    // A backup that is self-consistent (manifest digest re-computed too, which only someone
    // holding both could do) but whose record does not survive loading: the extra key is
    // dropped by the database, so the restored content differs from the manifest.
    const dir = damaged((d) => {
      rewriteRecords(d, 'embedded/calls.jsonl.gz', (lines) => [
        lines[0]!.replace(/^\{/, '{"not_a_column":1,'),
        ...lines.slice(1),
      ]);
      const lines = gunzipSync(readFileSync(join(d, 'embedded/calls.jsonl.gz'))).toString('utf8');
      const digest = new backup.ContentDigest();
      for (const line of lines.split('\n').filter(Boolean)) digest.add(line);
      editManifest(d, (m) => {
        m.sections[0]!.datasets.find((ds) => ds.name === 'calls')!.digest = digest.hex();
      });
    });
    await expect(backup.verifyBackup(dir)).resolves.toMatchObject({ dir });
    await expect(backup.restoreBackup({ from: dir, targets: targets(target).targets, force: true })).rejects.toThrow(
      /does not match the backup \(the embedded data directory .* was left as it was\):\n {2}- embedded\/calls: content differs/,
    );
    const after = await open(target);
    try {
      expect(await after.calls.getCall('other-call-0')).not.toBeNull();
      expect(await after.calls.getCall('bk-call-0')).toBeNull();
    } finally {
      await after.close();
    }
    // No staging directory is left beside the target.
    const siblings = readdirSync(root).filter((n) => n.startsWith(target.slice(root.length + 1)));
    expect(siblings).toEqual([target.slice(root.length + 1)]);
    // And a good backup replaces it with --force, swapped in whole, nothing left beside it.
    await backup.restoreBackup({ from: backupDir, targets: targets(target).targets, force: true });
    const restored = await open(target);
    try {
      expect(await restored.calls.getCall('bk-call-0')).not.toBeNull();
      expect(await restored.calls.getCall('other-call-0')).toBeNull();
    } finally {
      await restored.close();
    }
    expect(readdirSync(root).filter((n) => n.startsWith(target.slice(root.length + 1)))).toHaveLength(1);
    expect((statSync(target).mode & 0o777).toString(8)).toBe('700');
  }, 120_000);
});
