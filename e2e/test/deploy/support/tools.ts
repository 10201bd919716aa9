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
