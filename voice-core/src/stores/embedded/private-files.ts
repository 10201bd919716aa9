import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Keeps a data directory private to its owner: 0700 folders, 0600 files. PGlite creates its
 * files 0666 whatever the umask, so the modes are set again after it wrote them.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function tightenModes(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    try {
      chmodSync(path, entry.isDirectory() ? 0o700 : 0o600);
    } catch {
      // A file PGlite removed meanwhile.
    }
  }
  chmodSync(dir, 0o700);
}
