import type { CallStateStore, JsonObject, StoreHealth, Versioned } from '../../ports';
import { gcra } from '../gcra';
import type { SqlExecutor } from '../sql/executor';
import { parseJson } from '../sql/json';

interface Cached {
  value: Versioned<JsonObject>;
  expiresAt: number;
}

/**
 * The Redis role on the embedded database: live call state that survives a crash of the one
 * process that owns the data directory. Without it, a restart lost the state of every call in
 * progress, and their remaining events (acknowledged, in the inbox) could never apply.
 *
 * The data directory has one owner (its lock), so the cache in front of the table is always
 * current: reads cost nothing, and each change is one write, committed before it is reported.
 * Rate-limit buckets stay in memory: losing them in a crash only resets a rate limit.
 */
export class EmbeddedCallStateStore implements CallStateStore {
  readonly store = 'redis' as const;
  readonly kind = 'embedded' as const;

  /** callId → state; null = known to be absent. */
  private readonly cache = new Map<string, Cached | null>();
  private readonly buckets = new Map<string, number>();
  private readonly purgeTimer: NodeJS.Timeout;

  constructor(
    private readonly db: SqlExecutor,
    private readonly onClose: () => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {
    this.purgeTimer = setInterval(() => void this.purgeExpired().catch(() => undefined), 60_000);
    this.purgeTimer.unref();
  }

  async get(callId: string): Promise<Versioned<JsonObject> | null> {
    const entry = await this.load(callId);
    return entry ? structuredClone(entry.value) : null;
  }

  async compareAndSet(
    callId: string,
    state: JsonObject,
    expectedVersion: number,
    ttlSeconds: number,
  ): Promise<number | null> {
    const current = await this.load(callId);
    if ((current?.value.version ?? 0) !== expectedVersion) return null;
    const version = expectedVersion + 1;
    const now = this.now();
    const expiresAt = now + ttlSeconds * 1000;
    const params = [
      callId,
      JSON.stringify(state),
      version,
      new Date(expiresAt).toISOString(),
      new Date(now).toISOString(),
    ];
    // The version check is repeated in SQL: concurrent writers of this process interleave at
    // every await, and exactly one of them may win.
    const { rows } =
      expectedVersion === 0
        ? await this.db.query(
            `insert into live_calls (call_id, state, version, expires_at) values ($1, $2, $3, $4)
             on conflict (call_id) do update set state = excluded.state, version = excluded.version,
               expires_at = excluded.expires_at
             where live_calls.expires_at <= $5
             returning version`,
            params,
          )
        : await this.db.query(
            `update live_calls set state = $2, version = $3, expires_at = $4
             where call_id = $1 and version = $3 - 1 and expires_at > $5 returning version`,
            params,
          );
    if (rows.length === 0) {
      this.cache.delete(callId); // someone else won: read it again from the table
      return null;
    }
    this.cache.set(callId, { value: { state: structuredClone(state), version }, expiresAt });
    return version;
  }

  async delete(callId: string): Promise<void> {
    await this.db.query('delete from live_calls where call_id = $1', [callId]);
    this.cache.set(callId, null);
  }

  async claimOnce(key: string, ttlSeconds: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `insert into live_claims (key, expires_at) values ($1, $2)
       on conflict (key) do update set expires_at = excluded.expires_at where live_claims.expires_at <= $3
       returning key`,
      [key, new Date(this.now() + ttlSeconds * 1000).toISOString(), new Date(this.now()).toISOString()],
    );
    return rows.length === 1;
  }

  async releaseClaim(key: string): Promise<void> {
    await this.db.query('delete from live_claims where key = $1', [key]);
  }

  async takeToken(bucket: string, ratePerSecond: number): Promise<number> {
    const { wait, tat } = gcra(this.buckets.get(bucket) ?? 0, this.now(), ratePerSecond);
    if (wait === 0) this.buckets.set(bucket, tat);
    return wait;
  }

  async markActive(callId: string): Promise<void> {
    await this.db.query('insert into live_active (call_id) values ($1) on conflict do nothing', [callId]);
  }

  async acquireSlot(callId: string, capacity: number): Promise<boolean> {
    // One statement: the count and the insert cannot interleave with another acquisition.
    const { rows } = await this.db.query(
      `insert into live_active (call_id)
       select $1 where exists (select 1 from live_active where call_id = $1)
         or (select count(*) from live_active) < $2::int
       on conflict (call_id) do update set call_id = excluded.call_id
       returning call_id`,
      [callId, capacity],
    );
    return rows.length === 1;
  }

  async markInactive(callId: string): Promise<void> {
    await this.db.query('delete from live_active where call_id = $1', [callId]);
  }

  async countActive(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('select count(*) as n from live_active');
    return Number(rows[0]?.n ?? 0);
  }

  async listActive(): Promise<string[]> {
    const { rows } = await this.db.query<{ call_id: string }>('select call_id from live_active');
    return rows.map((r) => r.call_id);
  }

  async health(): Promise<StoreHealth> {
    const started = performance.now();
    try {
      await this.db.query('select 1 from live_calls limit 1');
      return { store: this.store, kind: this.kind, ok: true, latencyMs: performance.now() - started };
    } catch (err) {
      return { store: this.store, kind: this.kind, ok: false, latencyMs: 0, error: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.purgeTimer);
    this.cache.clear();
    await this.onClose();
  }

  private async load(callId: string): Promise<Cached | null> {
    let entry = this.cache.get(callId);
    if (entry === undefined) {
      const { rows } = await this.db.query<{ state: unknown; version: number; expires_at: unknown }>(
        'select state, version, expires_at from live_calls where call_id = $1',
        [callId],
      );
      const row = rows[0];
      entry = row
        ? {
            value: { state: parseJson(row.state) as JsonObject, version: Number(row.version) },
            expiresAt: new Date(row.expires_at as string | Date).getTime(),
          }
        : null;
      this.cache.set(callId, entry);
    }
    if (entry && entry.expiresAt <= this.now()) {
      this.cache.set(callId, null);
      return null;
    }
    return entry;
  }

  /** Keeps the tables (and the cache) from growing with calls long over. */
  private async purgeExpired(): Promise<void> {
    const now = new Date(this.now()).toISOString();
    await this.db.query('delete from live_calls where expires_at <= $1', [now]);
    await this.db.query('delete from live_claims where expires_at <= $1', [now]);
    for (const [id, entry] of this.cache) if (!entry || entry.expiresAt <= this.now()) this.cache.delete(id);
  }
}
