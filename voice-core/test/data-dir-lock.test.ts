import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, EmbeddedDatabase, LOCK_FILE } from '@mwva/voice-core';

/** A second process (the compiled voice-core, as `serve` runs it) that opens `dir` and holds it until killed. */
function holdInChild(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { EmbeddedDatabase } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'index.js'))});
       EmbeddedDatabase.open(process.argv[1]).then(() => process.stdout.write('held\\n'), (e) => { console.error(e); process.exit(3); });
       setInterval(() => {}, 1000);`,
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve(child));
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

describe('embedded data directory: one owner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mwva-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second opener in the same process and frees the directory on close', async () => {
    const first = await EmbeddedDatabase.open(dir);
    await expect(EmbeddedDatabase.open(dir)).rejects.toThrow(DataDirLockedError);
    await first.shutdown();
    const again = await EmbeddedDatabase.open(dir);
    await again.shutdown();
  }, 60_000);

  it('names the live holder in another process, and takes over once it was killed -9', async () => {
    const child = await holdInChild(dir);
    try {
      const err = await EmbeddedDatabase.open(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataDirLockedError);
      expect((err as Error).message).toContain(`pid ${child.pid}`);
      expect((err as Error).message).toContain(dir);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // The lock file is still there (a crash releases nothing), but its holder is gone.
    expect(statSync(join(dir, LOCK_FILE)).isFile()).toBe(true);
    const db = await EmbeddedDatabase.open(dir);
    await db.shutdown();
  }, 60_000);

  it('treats a lock from another host as held while its heartbeat is fresh, and stale after', async () => {
    const lock = join(dir, LOCK_FILE);
    const foreign = {
      pid: 1,
      host: 'some-other-host',
      command: 'voice-agent serve',
      startedAt: '2026-01-01T00:00:00Z',
    };
    writeFileSync(lock, JSON.stringify(foreign));
    await expect(EmbeddedDatabase.open(dir)).rejects.toThrow(/some-other-host/);
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    const db = await EmbeddedDatabase.open(dir);
    await db.shutdown();
  }, 60_000);

  it('keeps the directory private: 0700 folders and 0600 files', async () => {
    const db = await EmbeddedDatabase.open(dir);
    await db.query('create table if not exists t (x int)');
    await db.shutdown();
    const modes = new Set<string>();
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      modes.add(`${e.isDirectory() ? 'd' : 'f'}${(statSync(join(e.parentPath, e.name)).mode & 0o777).toString(8)}`);
    }
    expect([...modes].sort()).toEqual(['d700', 'f600']);
    expect((statSync(dir).mode & 0o777).toString(8)).toBe('700');
  }, 60_000);
});
