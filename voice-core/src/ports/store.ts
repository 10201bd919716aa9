/** What every store adapter shares: identity, health for /readyz, and an orderly close. */

import type { AdapterKind, StoreHealth, StoreName } from '@mwva/contract';

export { STORE_NAMES, type AdapterKind, type StoreHealth, type StoreName } from '@mwva/contract';

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
