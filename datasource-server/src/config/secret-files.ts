import { readFileSync } from 'node:fs';
import { ConfigError } from './env';

/**
 * Docker's `_FILE` convention for the secrets the API reads from the environment: when
 * `NAME_FILE` names a file (a compose or Kubernetes secret), its content becomes `NAME`, so the
 * value never appears in the container's configuration (`docker inspect`). Both set is an error.
 */
export const SECRET_VARIABLES = [
  'API_TOKEN',
  'NEON_DATABASE_URL',
  'NEON_READ_REPLICA_URL',
  'MONGODB_URI',
  'NEO4J_PASSWORD',
  'REDIS_URL',
  'TELNYX_API_KEY',
] as const;

/**
 * Moves each `NAME_FILE`'s content into `NAME` (one trailing newline dropped) and removes
 * `NAME_FILE`, so child processes inherit the value, not a second source of it.
 */
export function applySecretFiles(
  env: NodeJS.ProcessEnv = process.env,
  read: (file: string) => string = (f) => readFileSync(f, 'utf8'),
): void {
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) {
      problems.push(`${name} and ${name}_FILE are both set: keep one`);
      continue;
    }
    try {
      env[name] = read(file).replace(/\r?\n$/, '');
      delete env[`${name}_FILE`];
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
