import type { CallStateStore, JsonObject, StoreHealth, Versioned } from '../../ports';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * Redis role in process: for the embedded single-process mode only. Live calls die with the
 * process anyway; multi-replica deployments use Redis so any replica can take any event.
 */
export class InMemoryCallStateStore implements CallStateStore {
  readonly store = 'redis' as const;
  readonly kind = 'embedded' as const;

  private readonly states = new Map<string, Entry<Versioned<JsonObject>>>();
  private readonly claims = new Map<string, Entry<true>>();
  private readonly active = new Set<string>();
  private readonly buckets = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(callId: string): Promise<Versioned<JsonObject> | null> {
    const entry = this.live(this.states, callId);
    return entry ? structuredClone(entry.value) : null;
  }

  async compareAndSet(
    callId: string,
    state: JsonObject,
    expectedVersion: number,
    ttlSeconds: number,
  ): Promise<number | null> {
    const current = this.live(this.states, callId);
    if ((current?.value.version ?? 0) !== expectedVersion) return null;
    const version = expectedVersion + 1;
    this.states.set(callId, { value: { state: structuredClone(state), version }, expiresAt: this.expiry(ttlSeconds) });
    return version;
  }

  async delete(callId: string): Promise<void> {
    this.states.delete(callId);
  }

  async claimOnce(key: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(this.claims, key)) return false;
    this.claims.set(key, { value: true, expiresAt: this.expiry(ttlSeconds) });
    this.sweep();
    return true;
  }

  async releaseClaim(key: string): Promise<void> {
    this.claims.delete(key);
  }

  async takeToken(bucket: string, ratePerSecond: number): Promise<number> {
    const { wait, tat } = gcra(this.buckets.get(bucket) ?? 0, this.now(), ratePerSecond);
    if (wait === 0) this.buckets.set(bucket, tat);
    return wait;
  }

  async markActive(callId: string): Promise<void> {
    this.active.add(callId);
  }

  async acquireSlot(callId: string, capacity: number): Promise<boolean> {
    if (this.active.has(callId)) return true;
    if (this.active.size >= capacity) return false;
    this.active.add(callId);
    return true;
  }

  async markInactive(callId: string): Promise<void> {
    this.active.delete(callId);
  }

  async countActive(): Promise<number> {
    return this.active.size;
  }

  async listActive(): Promise<string[]> {
    return [...this.active];
  }

  async health(): Promise<StoreHealth> {
    return { store: this.store, kind: this.kind, ok: true, latencyMs: 0 };
  }

  async close(): Promise<void> {
    this.states.clear();
    this.claims.clear();
    this.active.clear();
    this.buckets.clear();
  }

  private live<T>(map: Map<string, Entry<T>>, key: string): Entry<T> | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  private expiry(ttlSeconds: number): number {
    return this.now() + ttlSeconds * 1000;
  }

  /** Keeps memory bounded under a steady stream of idempotency keys. */
  private sweep(): void {
    if (this.claims.size % 1024 !== 0) return;
    const now = this.now();
    for (const [key, entry] of this.claims) if (entry.expiresAt <= now) this.claims.delete(key);
    for (const [key, entry] of this.states) if (entry.expiresAt <= now) this.states.delete(key);
  }
}

/**
 * Generic cell rate algorithm on a "theoretical arrival time": the same arithmetic as the
 * Redis script, so both adapters limit alike.
 */
export function gcra(storedTat: number, now: number, ratePerSecond: number): { wait: number; tat: number } {
  const interval = 1000 / ratePerSecond;
  const tolerance = interval * (Math.max(1, Math.floor(ratePerSecond)) - 1);
  const tat = Math.max(storedTat, now);
  if (tat - now > tolerance) return { wait: Math.ceil(tat - now - tolerance), tat: storedTat };
  return { wait: 0, tat: tat + interval };
}
