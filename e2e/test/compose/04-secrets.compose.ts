/**
 * Secrets: every password, token and URL with a password reaches its container as a compose
 * secret file (/run/secrets/…), read through a `_FILE` variable (the images' own, and the API's:
 * datasource-server/src/config/secret-files.ts); `docker inspect` of every container shows no
 * secret value; each store really enforces its password (a wrong one is refused); the API and the
 * backup run as non-root on read-only root file systems (compose's `read_only: true`), which is
 * why theirs are file-sourced (deploy/scripts/secret-files.sh), not environment-sourced.
 */
import { createHash } from 'node:crypto';
import { record } from './support/results';
import { compose, containerOf, containers, containersOf, docker, inspect, run, stackEnv } from './support/stack';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** .env values that are secrets: passwords, tokens, keys, and the URLs that embed a password. */
function secretValues(): Array<[string, string]> {
  const env = stackEnv();
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(env)) {
    if (!v || k === 'TELNYX_PUBLIC_KEY') continue;
    if (/PASSWORD|TOKEN|_KEY$|^NEO4J_AUTH$/.test(k)) out.push([k, v]);
    const inUrl = /:\/\/[^:/@]*:([^@]+)@/.exec(v);
    if (inUrl) out.push([`${k} (password)`, inUrl[1]!]);
  }
  return out;
}

describe('secrets', () => {
  test('each secret is a file in the containers whose service lists it, equal to the generated value', async () => {
    const config = JSON.parse(await compose(['config', '--format', 'json'])) as {
      services: Record<string, { secrets?: Array<{ source: string; target?: string }> }>;
      secrets: Record<string, { environment?: string; file?: string }>;
    };
    const env = stackEnv();
    const checked: string[] = [];
    for (const [service, def] of Object.entries(config.services)) {
      for (const s of def.secrets ?? []) {
        // Environment-sourced: the variable it names; file-sourced (secret-files.sh): its name.
        const variable = config.secrets[s.source]!.environment ?? s.source.toUpperCase();
        // `compose config` gives the normalised target: an absolute path.
        const path = s.target?.startsWith('/') ? s.target : `/run/secrets/${s.target ?? s.source}`;
        for (const c of await containersOf(service)) {
          const content = await docker(['exec', c.name, 'cat', path]);
          expect({ container: c.name, path, sha: sha(content.replace(/\n$/, '')) }).toEqual({
            container: c.name,
            path,
            sha: sha(env[variable] ?? ''),
          });
          checked.push(`${c.service}:${path}`);
        }
      }
    }
    expect(new Set(checked.map((c) => c.split(':')[0]))).toEqual(
      new Set(['postgres', 'mongodb', 'neo4j', 'redis', 'voice-agent-api', 'backup']),
    );
  });

  test('stores read them through _FILE variables, never a plain secret variable', async () => {
    const envOf = async (service: string) => {
      const c = (await containersOf(service))[0]!;
      return ((await inspect(c.name)).Config.Env as string[]).map((e) => e.split('=')[0]!);
    };
    expect(await envOf('postgres')).toEqual(expect.arrayContaining(['POSTGRES_PASSWORD_FILE']));
    expect(await envOf('postgres')).not.toContain('POSTGRES_PASSWORD');
    expect(await envOf('mongodb')).toEqual(expect.arrayContaining(['MONGO_INITDB_ROOT_PASSWORD_FILE']));
    expect(await envOf('mongodb')).not.toContain('MONGO_INITDB_ROOT_PASSWORD');
    expect(await envOf('neo4j')).toEqual(expect.arrayContaining(['NEO4J_AUTH_FILE']));
    expect(await envOf('neo4j')).not.toContain('NEO4J_AUTH');
    for (const service of ['voice-agent-api', 'backup']) {
      const names = await envOf(service);
      expect(names).toEqual(expect.arrayContaining(['API_TOKEN_FILE', 'NEON_DATABASE_URL_FILE', 'MONGODB_URI_FILE']));
      expect(
        names.filter((n) => ['API_TOKEN', 'NEON_DATABASE_URL', 'MONGODB_URI', 'NEO4J_PASSWORD'].includes(n)),
      ).toEqual([]);
    }
  });

  test('docker inspect shows no secret value in any container', async () => {
    const secrets = secretValues();
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    const leaks: Record<string, string[]> = {};
    for (const c of await containers()) {
      const text = await docker(['inspect', c.name]);
      const found = secrets.filter(([, v]) => v.length >= 8 && text.includes(v)).map(([n]) => n);
      if (found.length) (leaks[c.service] ??= []).push(...found);
    }
    const unique = Object.fromEntries(Object.entries(leaks).map(([k, v]) => [k, [...new Set(v)].sort()]));
    record('secrets-inspect', { secretsFoundByInspect: unique });
    expect(unique).toEqual({});
    // The scan does find a secret when one is there: a container's secret file content.
    const pg = await containerOf('postgres');
    const file = await docker(['exec', pg.name, 'cat', '/run/secrets/postgres_password']);
    expect(secrets.some(([, v]) => file.includes(v))).toBe(true);
  });

  test('each store enforces its password: the right one is accepted, a wrong one refused', async () => {
    const env = stackEnv();
    const pg = (await containerOf('postgres')).name;
    const redis = (await containerOf('redis')).name;
    const neo = (await containerOf('neo4j')).name;
    const mongo = (await containerOf('mongodb')).name;
    const pgUrl = (pw: string) => `postgresql://voice:${pw}@127.0.0.1:5432/voice`;
    const results = {
      postgresRight: (await run('docker', ['exec', pg, 'psql', pgUrl(env.POSTGRES_PASSWORD!), '-Atc', 'select 1']))
        .code,
      postgresWrong: (await run('docker', ['exec', pg, 'psql', pgUrl('wrong-password'), '-Atc', 'select 1'])).code,
      redisRight: (
        await run('docker', ['exec', '-e', `REDISCLI_AUTH=${env.REDIS_PASSWORD}`, redis, 'redis-cli', 'ping'])
      ).stdout.trim(),
      redisWrong: (
        await run('docker', ['exec', '-e', 'REDISCLI_AUTH=wrong-password', redis, 'redis-cli', 'ping'])
      ).stdout.trim(),
      redisNone: (await run('docker', ['exec', redis, 'redis-cli', 'ping'])).stdout.trim(),
      neo4jRight: (
        await run('docker', ['exec', neo, 'cypher-shell', '-u', 'neo4j', '-p', env.NEO4J_PASSWORD!, 'RETURN 1'])
      ).code,
      neo4jWrong: (
        await run('docker', ['exec', neo, 'cypher-shell', '-u', 'neo4j', '-p', 'wrong-password', 'RETURN 1'])
      ).code,
      mongoRight: (await run('docker', ['exec', mongo, 'ferretdb-healthcheck'])).code,
      mongoWrong: (
        await run('docker', [
          'exec',
          '-e',
          'MONGO_INITDB_ROOT_PASSWORD=wrong-password',
          '-e',
          'MONGO_INITDB_ROOT_PASSWORD_FILE=',
          mongo,
          'ferretdb-healthcheck',
        ])
      ).code,
    };
    record('secrets-auth', results);
    expect(results).toEqual({
      postgresRight: 0,
      postgresWrong: 2,
      redisRight: 'PONG',
      redisWrong: expect.stringMatching(/WRONGPASS|NOAUTH|invalid/i),
      redisNone: expect.stringMatching(/NOAUTH/),
      neo4jRight: 0,
      neo4jWrong: 1,
      mongoRight: 0,
      mongoWrong: 1,
    });
  });

  test('the API and the backup run as non-root on read-only root file systems', async () => {
    const users: Record<string, string> = {};
    for (const c of await containers()) {
      users[c.name] = (await docker(['exec', c.name, 'sh', '-c', 'id -u'])).trim();
    }
    record('container-users', { uidOfExecInEachContainer: users });
    for (const service of ['voice-agent-api', 'backup']) {
      for (const c of await containersOf(service)) {
        const i = await inspect(c.name);
        expect(i.HostConfig.ReadonlyRootfs).toBe(true);
        expect(i.Config.User).toBe('node');
        expect(users[c.name]).toBe('1000');
        const write = await run('docker', ['exec', c.name, 'sh', '-c', 'echo x > /app/probe']);
        expect(write.code).not.toBe(0);
        expect(write.stderr).toMatch(/Read-only file system/);
        // Only the tmpfs/volume paths compose gives it are writable.
        const writable = c.service === 'backup' ? '/data/backups/.probe' : '/data/probe';
        expect((await run('docker', ['exec', c.name, 'sh', '-c', `echo x > ${writable} && rm ${writable}`])).code).toBe(
          0,
        );
      }
    }
  });
});
