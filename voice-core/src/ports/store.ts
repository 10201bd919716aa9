/** What every store adapter shares: identity, health for /readyz, and an orderly close. */

export const STORE_NAMES = ['postgres', 'mongodb', 'neo4j', 'chroma', 'redis'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

export type AdapterKind = 'embedded' | 'native';

export interface StoreHealth {
  store: StoreName;
  kind: AdapterKind;
  ok: boolean;
  /** Round-trip of the health probe in milliseconds. */
  latencyMs: number;
  error?: string;
}

export interface StoreAdapter {
  readonly store: StoreName;
  readonly kind: AdapterKind;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** Raised by adapters so callers and logs always know which store failed. */
export class StoreError extends Error {
  constructor(
    readonly store: StoreName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[${store}] ${message}`, options);
    this.name = 'StoreError';
  }
}
