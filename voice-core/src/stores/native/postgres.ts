import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { StoreHealth } from '../../ports';
import { probeHealth } from '../health';
import type { SqlExecutor, SqlQueryable } from '../sql/executor';
import { SqlCallStore } from '../sql/call-store';
import { CALL_STORE_MIGRATIONS, migrate } from '../sql/migrations';

export interface PostgresOptions {
  url: string;
  /** Dashboard reads go here; defaults to the primary. */
  readReplicaUrl?: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}

function executor(pool: Pool): SqlExecutor {
  const on = (client: Pool | PoolClient): SqlQueryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      const result = await client.query(sql, params);
      return { rows: result.rows as R[] };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  });
  const base = on(pool);
  return {
    ...base,
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(on(client));
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

function createPool(url: string, options: PostgresOptions, role: string, max = options.poolSize ?? 10): Pool {
  const config: PoolConfig = {
    connectionString: url,
    max,
    statement_timeout: options.statementTimeoutMs ?? 5000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
    idleTimeoutMillis: 30_000,
    application_name: `voice-agent-api:${role}`,
  };
  const pool = new Pool(config);
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}

/** Postgres-role adapter on node-postgres: writes to the primary, dashboard reads to the replica. */
export class PostgresCallStore extends SqlCallStore {
  private constructor(
    private readonly primary: Pool,
    private readonly replica: Pool | null,
    /** One connection per server for health probes (see health()). */
    private readonly probes: Pool[],
  ) {
    const writer = executor(primary);
    super('native', writer, replica ? executor(replica) : writer, async () => {
      await Promise.all([primary.end(), replica?.end(), ...probes.map((p) => p.end())]);
    });
  }

  static async open(options: PostgresOptions): Promise<PostgresCallStore> {
    const primary = createPool(options.url, options, 'primary');
    const replica = options.readReplicaUrl ? createPool(options.readReplicaUrl, options, 'replica') : null;
    const probes = [options.url, options.readReplicaUrl]
      .filter((url): url is string => Boolean(url))
      .map((url, i) => createPool(url, options, i === 0 ? 'health-primary' : 'health-replica', 1));
    const store = new PostgresCallStore(primary, replica, probes);
    try {
      await migrate(executor(primary), 'calls', CALL_STORE_MIGRATIONS);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  /**
   * Whether each server answers, on connections of its own: a probe queued behind a saturated
   * traffic pool timed out and reported Postgres down on every replica at once, and nginx then
   * took them all out of rotation while Postgres was answering.
   */
  override health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, () => Promise.all(this.probes.map((p) => p.query('select 1'))));
  }

  /** Which server each path reaches (`pg_is_in_recovery()` is true on a streaming replica). */
  async readPathInfo(): Promise<{ primaryInRecovery: boolean; readerInRecovery: boolean }> {
    const q = 'select pg_is_in_recovery() as r';
    const [w, r] = await Promise.all([this.primary.query(q), (this.replica ?? this.primary).query(q)]);
    return { primaryInRecovery: Boolean(w.rows[0]?.r), readerInRecovery: Boolean(r.rows[0]?.r) };
  }
}
