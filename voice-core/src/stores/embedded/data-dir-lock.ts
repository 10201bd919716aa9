import {
  closeSync,
  existsSync,
  linkSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * One process owns an embedded data directory. PGlite has no lock of its own: two processes on
 * one directory each acknowledge writes, and one of them loses its work on the next start. The
 * lock is a file created exclusively (like Postgres's postmaster.pid) that names its holder.
 *
 * A holder that died without releasing (kill -9, power loss) is detected as stale: on the same
 * host by its pid no longer running (or running as a different process, by start time); from
 * another host (a shared volume) by its heartbeat, which the holder refreshes every few seconds.
 */
export const LOCK_FILE = 'voice-agent.lock';
const HEARTBEAT_MS = 5_000;
/** A lock from another host whose heartbeat is older than this is stale. */
const FOREIGN_STALE_MS = 30_000;

export interface LockHolder {
  pid: number;
  host: string;
  /** What holds it, e.g. "voice-agent serve". */
  command: string;
  startedAt: string;
  /** Linux process start time (clock ticks since boot), to tell a reused pid apart. */
  processStart: string | null;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the embedded data directory ${dir} is in use by ${holder.command} (pid ${holder.pid} on ${holder.host}, ` +
        `since ${holder.startedAt}); stop it first, or set another DATA_DIR`,
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly dir: string;
  release(): void;
}

/** What this process calls itself in the lock file; the CLI sets it once at start. */
let currentCommand = `node ${process.argv.slice(1, 3).join(' ')}`.trim();
export function setLockCommand(command: string): void {
  currentCommand = command;
}

/** Takes the lock on `dir` (which must exist) or throws DataDirLockedError naming the holder. */
export function acquireDataDirLock(dir: string): DataDirLock {
  const abs = resolve(dir);
  const path = join(abs, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const mine = tryCreate(path);
    if (mine) return mine;
    const holder = readHolder(path);
    if (holder && !isStale(path, holder)) throw new DataDirLockedError(dir, holder);
    removeIfUnchanged(path, holder);
  }
  const holder = readHolder(path);
  throw new DataDirLockedError(dir, holder ?? unknownHolder());
}

/**
 * The lock appears complete or not at all: its content is written to a private file first and
 * then hard-linked into place, which fails if a lock exists (so nobody reads a half-written one).
 */
function tryCreate(path: string): DataDirLock | null {
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: currentCommand,
    startedAt: new Date().toISOString(),
    processStart: processStartTime(process.pid),
  };
  const draft = `${path}.${process.pid}.tmp`;
  const fd = openSync(draft, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw err;
  } finally {
    unlinkQuietly(draft);
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // The directory went away (tests remove it); nothing left to keep alive.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.removeListener('exit', release);
    const current = readHolder(path);
    if (current && current.pid === holder.pid && current.startedAt === holder.startedAt) unlinkQuietly(path);
  };
  // A normal exit (process.exit, end of the event loop) releases it; a crash leaves it stale.
  process.once('exit', release);
  return { dir: dirname(path), release };
}

function readHolder(path: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return {
      pid: parsed.pid,
      host: parsed.host,
      command: parsed.command ?? 'another process',
      startedAt: parsed.startedAt ?? 'unknown',
      processStart: parsed.processStart ?? null,
    };
  } catch {
    // Missing (released meanwhile) or unreadable: not a lock anyone can be holding.
    return null;
  }
}

function isStale(path: string, holder: LockHolder): boolean {
  if (holder.host !== hostname()) {
    const age = Date.now() - statSync(path, { throwIfNoEntry: false })!.mtimeMs;
    return !Number.isFinite(age) || age > FOREIGN_STALE_MS;
  }
  if (holder.pid === process.pid) return false;
  if (!isRunning(holder.pid)) return true;
  // The pid is running, but it may be a different process that reused the number.
  const start = processStartTime(holder.pid);
  return holder.processStart !== null && start !== null && start !== holder.processStart;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (Linux); null elsewhere. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Removes a stale lock only if it still names the same holder (another process may have taken it). */
function removeIfUnchanged(path: string, seen: LockHolder | null): void {
  const now = readHolder(path);
  if (!existsSync(path)) return;
  if (seen === null ? now === null : now !== null && now.pid === seen.pid && now.startedAt === seen.startedAt) {
    unlinkQuietly(path);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function unknownHolder(): LockHolder {
  return { pid: 0, host: 'unknown', command: 'another process', startedAt: 'unknown', processStart: null };
}
