import type { StoreAdapter } from './store';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Versioned<S> {
  state: S;
  /** Increments on every successful write; used for compare-and-set. */
  version: number;
}

/** Redis role: live call state shared by every replica, idempotency keys, active-call set. */
export interface CallStateStore extends StoreAdapter {
  get(callId: string): Promise<Versioned<JsonObject> | null>;
  /**
   * Writes the state only if the stored version still equals `expectedVersion`
   * (0 = must not exist yet). Returns the new version, or null when another writer won.
   */
  compareAndSet(callId: string, state: JsonObject, expectedVersion: number, ttlSeconds: number): Promise<number | null>;
  delete(callId: string): Promise<void>;

  /** Claims `key` for `ttlSeconds`; true only for the first claimer while the key lives. */
  claimOnce(key: string, ttlSeconds: number): Promise<boolean>;
  /** Gives up a claim, so a failed attempt can be retried. */
  releaseClaim(key: string): Promise<void>;

  /**
   * Shared rate limit (GCRA: `ratePerSecond` sustained, bursts up to one second's worth).
   * Returns 0 when a token was taken, else the milliseconds to wait before asking again.
   */
  takeToken(bucket: string, ratePerSecond: number): Promise<number>;

  markActive(callId: string): Promise<void>;
  /**
   * Marks the call active only while fewer than `capacity` calls are (atomically, across
   * replicas); returns whether it got the slot. Already active counts as got.
   */
  acquireSlot(callId: string, capacity: number): Promise<boolean>;
  markInactive(callId: string): Promise<void>;
  countActive(): Promise<number>;
  /** The ids holding a capacity slot, in no particular order. */
  listActive(): Promise<string[]>;
}
