import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadEnv } from '../src/config/env';
import { applySecretFiles } from '../src/config/secret-files';

describe('NAME_FILE secrets (compose / Kubernetes secret files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mwva-secret-files-'));
  const file = (name: string, content: string) => {
    const f = join(dir, name);
    writeFileSync(f, content);
    return f;
  };

  test('a file becomes the variable, its trailing newline dropped, and _FILE is removed', () => {
    const env: NodeJS.ProcessEnv = {
      API_TOKEN_FILE: file('token', 'a'.repeat(32) + '\n'),
      REDIS_URL_FILE: file('redis', 'redis://:pw@redis:6379'),
    };
    applySecretFiles(env);
    expect(env.API_TOKEN).toBe('a'.repeat(32));
    expect(env.REDIS_URL).toBe('redis://:pw@redis:6379');
    expect(env.API_TOKEN_FILE).toBeUndefined();
    expect(loadEnv(env).API_TOKEN).toBe('a'.repeat(32));
  });

  test('an empty file is an unset variable (e.g. no read replica, simulation mode)', () => {
    const env: NodeJS.ProcessEnv = { NEON_READ_REPLICA_URL_FILE: file('empty', '') };
    applySecretFiles(env);
    expect(loadEnv(env).NEON_READ_REPLICA_URL).toBeUndefined();
  });

  test('both NAME and NAME_FILE set, or an unreadable file, is a configuration error naming it', () => {
    const both: NodeJS.ProcessEnv = { MONGODB_URI: 'mongodb://x', MONGODB_URI_FILE: file('m', 'mongodb://y') };
    expect(() => applySecretFiles(both)).toThrow(ConfigError);
    expect(() => applySecretFiles(both)).toThrow(/MONGODB_URI and MONGODB_URI_FILE are both set/);
    const missing: NodeJS.ProcessEnv = { NEO4J_PASSWORD_FILE: join(dir, 'nope') };
    expect(() => applySecretFiles(missing)).toThrow(/NEO4J_PASSWORD_FILE: cannot read .*nope \(ENOENT\)/);
  });

  test('variables outside the secret list are left alone', () => {
    const env: NodeJS.ProcessEnv = { PORT_FILE: file('port', '1234') };
    applySecretFiles(env);
    expect(env.PORT).toBeUndefined();
    expect(env.PORT_FILE).toBeDefined();
  });
});
