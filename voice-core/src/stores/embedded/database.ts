import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { SqlExecutor, SqlQueryable } from '../sql/executor';
import {
  CALL_STORE_MIGRATIONS,
  DOCUMENT_MIGRATIONS,
  GRAPH_MIGRATIONS,
  STATE_MIGRATIONS,
  VECTOR_MIGRATIONS,
  migrate,
} from '../sql/migrations';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock';
import { makePrivateDir, tightenModes } from './private-files';

function queryable(target: PGlite | Transaction): SqlQueryable {
  return {
    async query<R>(sql: string, params?: unknown[]) {
      const result = await target.query<R>(sql, params);
      return { rows: result.rows };
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

/**
 * One PGlite database (real Postgres compiled to WASM) holding every embedded store's tables.
 * PGlite allows one connection, so the embedded adapters share this instance; it closes when
 * the last of them closes.
 */
export class EmbeddedDatabase implements SqlExecutor {
  private refs = 0;
  private closed = false;

  private constructor(
    private readonly pg: PGlite,
    private readonly dataDir: string | null,
    private readonly lock: DataDirLock | null,
  ) {}

  /**
   * Opens (creating if needed) the database in `dataDir`, or in memory when `dataDir` is null.
   * The directory is this process's alone while open: a second opener gets DataDirLockedError.
   */
  static async open(dataDir: string | null): Promise<EmbeddedDatabase> {
    if (dataDir) makePrivateDir(dataDir);
    const lock = dataDir ? acquireDataDirLock(dataDir) : null;
    try {
      const pg = await PGlite.create({ dataDir: dataDir ?? undefined, extensions: { vector } });
      const db = new EmbeddedDatabase(pg, dataDir, lock);
      await migrate(db, 'calls', CALL_STORE_MIGRATIONS);
      await migrate(db, 'documents', DOCUMENT_MIGRATIONS);
      await migrate(db, 'graph', GRAPH_MIGRATIONS);
      await migrate(db, 'vectors', VECTOR_MIGRATIONS);
      await migrate(db, 'state', STATE_MIGRATIONS);
      if (dataDir) tightenModes(dataDir);
      return db;
    } catch (err) {
      lock?.release();
      throw err;
    }
  }

  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> {
    return queryable(this.pg).query<R>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return queryable(this.pg).exec(sql);
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.pg.transaction((tx) => fn(queryable(tx)));
  }

  /** Each adapter holding the database takes a reference and gives it back on close. */
  retain(): () => Promise<void> {
    this.refs += 1;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      this.refs -= 1;
      if (this.refs === 0) await this.shutdown();
    };
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.pg.close();
      if (this.dataDir) tightenModes(this.dataDir);
    } finally {
      this.lock?.release();
    }
  }
}
