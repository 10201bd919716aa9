import { execFileSync } from 'node:child_process';
import { repoPath } from './paths';

/**
 * The deployment stack tests need Debian's nginx, pebble and certbot and openssl. They are
 * installed when missing by deploy/scripts/install-test-tools.sh (apt), like services.sh does
 * for the stores; a failed install fails the suite with the script's output.
 */
export function ensureTools(...names: string[]): string {
  return execFileSync('bash', [repoPath('deploy/scripts/install-test-tools.sh'), ...names], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 600_000,
  }).trim();
}

/** Environment a stack suite needs from `deploy/local/services.sh up`; missing = a clear failure. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Start the real servers and export their URLs first:\n` +
        '  eval "$(bash deploy/local/services.sh up)" && npm run test:stack',
    );
  }
  return value;
}
