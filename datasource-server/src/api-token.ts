import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ResolvedToken {
  token: string;
  source: 'environment' | 'generated' | 'data-dir';
}

/**
 * API_TOKEN from the environment wins. Without it (development only; production refuses to
 * start) a token is generated once and kept in the data folder so it survives restarts.
 */
export function resolveApiToken(envToken: string | undefined, dataDir: string): ResolvedToken {
  if (envToken) return { token: envToken, source: 'environment' };
  const file = join(dataDir, 'api-token');
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 16) return { token: stored, source: 'data-dir' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: 'generated' };
}
