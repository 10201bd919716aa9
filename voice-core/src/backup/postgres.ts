import { spawn, spawnSync } from 'node:child_process';
import { Client } from 'pg';
import type { SqlExecutor, SqlQueryable } from '../stores/sql/executor';
import { EmbeddedDatabase } from '../stores/embedded/database';
import { CALL_STORE_MIGRATIONS, migrate } from '../stores/sql/migrations';
import { SqlStoreBackup, type SnapshotDumper } from './sql';

export type PostgresMethod = 'auto' | 'pg_dump' | 'logical';

/** One dedicated connection: a backup is one long snapshot transaction. */
function clientExecutor(client: Client): SqlExecutor {
  const q: SqlQueryable = {
    async query<R>(sql: string, params?: unknown[]) {
      const result = await client.query(sql, params);
      return { rows: result.rows as R[] };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
  return {
    ...q,
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      await client.query('begin');
      try {
        const result = await fn(q);
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      }
    },
  };
}

/** The URL without its password (which goes to pg_dump through PGPASSWORD, not argv). */
function splitCredentials(url: string): { url: string; password: string | undefined } {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = '';
  return { url: u.toString(), password };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/** Major version of a client tool on PATH, or null when it is missing. */
export function toolMajorVersion(tool: string): number | null {
  const out = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (out.status !== 0) return null;
  const m = /(\d+)(?:\.\d+)?/.exec(out.stdout);
  return m ? Number(m[1]) : null;
}

/** `pg_dump -Fc` / `pg_restore` of one database. */
export function pgDumper(databaseUrl: string): SnapshotDumper {
  const { url, password } = splitCredentials(databaseUrl);
  const env = { ...process.env, ...(password !== undefined ? { PGPASSWORD: password } : {}) };
  return {
    dump: (snapshotId, absPath) =>
      run(
        'pg_dump',
        [
          '--format=custom',
          '--no-owner',
          '--no-privileges',
          `--snapshot=${snapshotId}`,
          `--file=${absPath}`,
          `--dbname=${url}`,
        ],
        env,
      ),
    restore: (absPath) =>
      run(
        'pg_restore',
        [
          '--clean',
          '--if-exists',
          '--no-owner',
          '--no-privileges',
          '--single-transaction',
          '--exit-on-error',
          `--dbname=${url}`,
          absPath,
        ],
        env,
      ),
    // Reads every byte of the archive (TOC and data) and writes the SQL nowhere.
    check: (absPath) => run('pg_restore', ['--file=/dev/null', absPath], env),
  };
}

/**
 * The Postgres primary. `auto` uses pg_dump when a pg_dump at least as new as the server is on
 * PATH (it refuses newer servers, e.g. Neon's 16/17 with Debian 12's 15), else the logical path.
 */
export async function openPostgresBackup(options: { url: string; method: PostgresMethod }): Promise<SqlStoreBackup> {
  const client = new Client({ connectionString: options.url, application_name: 'voice-agent-backup' });
  await client.connect();
  try {
    await client.query('set statement_timeout = 0');
    const db = clientExecutor(client);
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
    const serverMajor = Math.floor(Number(rows[0]?.v) / 10000);
    const dumpMajor = toolMajorVersion('pg_dump');
    const restoreMajor = toolMajorVersion('pg_restore');
    const dumpUsable = dumpMajor !== null && restoreMajor !== null && dumpMajor >= serverMajor;
    if (options.method === 'pg_dump' && !dumpUsable) {
      throw new Error(
        `postgres: --postgres-method pg_dump needs pg_dump/pg_restore >= ${serverMajor} on PATH (found ${dumpMajor ?? 'none'})`,
      );
    }
    const useDump = options.method === 'pg_dump' || (options.method === 'auto' && dumpUsable);
    return new SqlStoreBackup('postgres', db, {
      migrate: async () => {
        await migrate(db, 'calls', CALL_STORE_MIGRATIONS);
      },
      close: () => client.end(),
      // Restoring a pg_dump backup also needs pg_restore, whatever the method asked for backups.
      dumper: useDump || (restoreMajor !== null && restoreMajor >= serverMajor) ? pgDumper(options.url) : null,
      dumpOnBackup: useDump,
    });
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

/** The embedded PGlite database (every role's tables). The API must not hold it meanwhile. */
export async function openEmbeddedBackup(dataDir: string | null): Promise<SqlStoreBackup> {
  const db = await EmbeddedDatabase.open(dataDir);
  return new SqlStoreBackup('embedded', db, {
    // EmbeddedDatabase.open already ran every migration of this software.
    migrate: async () => undefined,
    close: () => db.shutdown(),
    dumper: null,
  });
}
